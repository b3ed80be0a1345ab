import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway PostgreSQL cluster from the machine's own packages, for the tests of one
 * file: `initdb` into a temporary folder, `pg_ctl start` on a free port of 127.0.0.1, and
 * `pg_ctl stop` plus removal at the end (also if the test process exits early). The server
 * refuses to run as root, so under root it runs as the `postgres` user (or `nobody`).
 * Durability is off (fsync, synchronous commit, full page writes): the data is thrown away.
 *
 * TCP logins need the password (scram), so tests see real authentication; `url()` has it.
 */
export interface PgCluster {
  port: number;
  user: string;
  password: string;
  /** postgres://porter:PASSWORD@127.0.0.1:PORT/postgres, with extra query text if given. */
  url(query?: string): string;
  stop(): void;
}

export type PgStart = { ok: true; cluster: PgCluster } | { ok: false; reason: string };

const USER = 'porter';
const PASSWORD = 'pw-Sx81-qQ';

function sh(cmd: string, args: string[], opts: { timeoutMs?: number } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim() };
}

/** initdb and pg_ctl: on PATH (Debian's wrappers, or links in /usr/local/bin), else the newest /usr/lib/postgresql/N/bin. */
export function findPostgresBin(): string | null {
  const onPath = sh('sh', ['-c', 'command -v initdb && command -v pg_ctl']);
  if (onPath.ok) {
    const [initdb] = onPath.out.split('\n');
    const real = fs.realpathSync(initdb!);
    // Debian's /usr/bin wrappers are pg_wrapper, which wants a configured cluster; use the real binaries beside the target.
    if (fs.existsSync(path.join(path.dirname(real), 'pg_ctl')) && !real.endsWith('pg_wrapper')) return path.dirname(real);
  }
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

/** Who runs the server: this user, or an unprivileged one when this is root. */
function serverUser(): { name: string; uid: number; gid: number } | null | 'self' {
  if (process.getuid?.() !== 0) return 'self';
  for (const name of ['postgres', 'nobody']) {
    const uid = sh('id', ['-u', name]);
    const gid = sh('id', ['-g', name]);
    if (uid.ok && gid.ok) return { name, uid: Number(uid.out), gid: Number(gid.out) };
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a cluster, or says on stderr why the tests that need one will be skipped. */
export async function startPostgres(): Promise<PgStart> {
  const r = await start();
  if (!r.ok) console.warn(`PostgreSQL tests skipped: ${r.reason}`);
  return r;
}

async function start(): Promise<PgStart> {
  const bin = findPostgresBin();
  if (!bin) return { ok: false, reason: 'PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql; .ci/run installs it)' };
  const who = serverUser();
  if (who === null) return { ok: false, reason: 'running as root and neither the postgres nor the nobody user exists to run the server' };
  const as = (cmd: string, args: string[]) => {
    if (who === 'self') return sh(cmd, args);
    if (fs.existsSync('/usr/sbin/runuser') || sh('sh', ['-c', 'command -v runuser']).ok) return sh('runuser', ['-u', who.name, '--', cmd, ...args]);
    return sh('su', [who.name, '-s', '/bin/sh', '-c', [cmd, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')]);
  };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (who !== 'self') {
    fs.chownSync(dir, who.uid, who.gid);
    fs.chownSync(pwfile, who.uid, who.gid);
  }
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });

  const init = as(path.join(bin, 'initdb'), [
    '-D', data, '-U', USER, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256',
    '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions',
  ]);
  if (!init.ok) {
    cleanup();
    return { ok: false, reason: `initdb failed: ${init.out.split('\n').slice(-3).join(' ')}` };
  }

  let lastError = '';
  for (let tries = 0; tries < 3; tries++) {
    const port = await freePort();
    const options = [
      `-p ${port}`, '-c listen_addresses=127.0.0.1', `-c unix_socket_directories=${dir}`, '-c fsync=off',
      '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=60', '-c shared_buffers=16MB',
    ].join(' ');
    const started = as(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-o', options, '-w', '-t', '90', 'start']);
    if (!started.ok) {
      // Another process may have taken the port between the check and the start.
      lastError = fs.existsSync(path.join(dir, 'log')) ? fs.readFileSync(path.join(dir, 'log'), 'utf8').trim().split('\n').slice(-2).join(' ') : started.out;
      continue;
    }
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      process.off('exit', stop);
      as(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      cleanup();
    };
    process.on('exit', stop);
    return {
      ok: true,
      cluster: {
        port,
        user: USER,
        password: PASSWORD,
        url: (query = '') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres${query}`,
        stop,
      },
    };
  }
  cleanup();
  return { ok: false, reason: `the server did not start: ${lastError}` };
}
