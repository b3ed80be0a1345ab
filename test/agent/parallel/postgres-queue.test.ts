import net from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openWorkQueue } from '../../../harness/agent/parallel/queue/open-queue.js';
import { parsePostgresLocation, scrub } from '../../../harness/agent/parallel/queue/postgres-location.js';
import type { WorkQueue } from '../../../harness/agent/parallel/queue/work-queue.js';
import { startPostgres } from '../../support/postgres.js';
import { describeWorkQueue, IDENTITY, item, worker } from './work-queue-contract.js';

const started = await startPostgres();
const cluster = started.ok ? started.cluster : null;
const skipNote = started.ok ? '' : ` (skipped: ${started.reason})`;
afterAll(() => cluster?.stop());

let schemas = 0;
const freshSchema = () => `t${process.pid}_${++schemas}`;
const opened: WorkQueue[] = [];
const admin = cluster ? new pg.Pool({ connectionString: cluster.url(), max: 2 }) : null;
afterAll(() => admin?.end());

async function open(url: string, opts: Parameters<typeof openWorkQueue>[1]): Promise<WorkQueue> {
  const r = await openWorkQueue(url, opts);
  if (!r.ok) throw new Error(r.error);
  opened.push(r.queue);
  return r.queue;
}

describe.skipIf(!cluster)(`PostgreSQL${skipNote}`, () => {
  describeWorkQueue('the PostgreSQL', {
    async open(opts = {}) {
      const url = cluster!.url(`?schema=${freshSchema()}`);
      const schema = new URL(url).searchParams.get('schema')!;
      const coordinator = await open(url, { role: 'coordinator', identity: IDENTITY, ...opts });
      return {
        coordinator,
        join: () => open(url, { role: 'worker', porterVersion: IDENTITY.porterVersion }),
        // Moves every running lease's start back: what the server's clock would show after the wait.
        async elapse(ms) {
          await admin!.query(`UPDATE ${schema}_jobs.job SET started_on = started_on - $1 * interval '1 millisecond' WHERE state = 'active'`, [ms]);
          await admin!.query(`UPDATE ${schema}.workers SET lease_until = lease_until - $1 * interval '1 millisecond' WHERE lease_until IS NOT NULL`, [ms]);
        },
      };
    },
    async closeAll() {
      await Promise.all(opened.splice(0).map((q) => q.close()));
    },
  });

  describe('connecting', () => {
    it('shows where it is without the password', async () => {
      const q = await open(cluster!.url(`?schema=${freshSchema()}`), { role: 'coordinator', identity: IDENTITY });
      expect(q.location).toMatch(/^postgres:\/\/porter@127\.0\.0\.1:\d+\/postgres\?schema=t\d+_\d+$/);
      await q.close();
    });

    it('says in one line that the login was refused, without the password', async () => {
      const url = cluster!.url().replace(cluster!.password, 'wrong-Secret-99');
      const r = await openWorkQueue(url, { role: 'coordinator', identity: IDENTITY });
      expect(r).toEqual({ ok: false, error: `PostgreSQL at postgres://porter@127.0.0.1:${cluster!.port}/postgres refused the login: password authentication failed for user "porter"` });
    });

    it('says when the database does not exist', async () => {
      const r = await openWorkQueue(cluster!.url().replace(/\/postgres$/, '/nosuchdb'), { role: 'coordinator', identity: IDENTITY });
      expect(r).toEqual({ ok: false, error: expect.stringMatching(/^PostgreSQL at postgres:\/\/porter@127\.0\.0\.1:\d+\/nosuchdb: database "nosuchdb" does not exist; create it first/) });
    });

    it('tells a worker that comes before its coordinator to start the coordinator', async () => {
      const r = await openWorkQueue(cluster!.url('?schema=nobody_here'), { role: 'worker' });
      expect(r).toEqual({ ok: false, error: expect.stringMatching(/^there is no work queue in schema "nobody_here" at postgres:\/\/porter@127\.0\.0\.1:\d+\/postgres\?schema=nobody_here: start the coordinator first/) });
    });

    it('refuses a schema made by another Porter version, for coordinators and workers', async () => {
      const url = cluster!.url(`?schema=${freshSchema()}`);
      const old = await open(url, { role: 'coordinator', identity: { porterVersion: '0.0.1', configHash: 'h' } });
      await old.close();
      const coordinator = await openWorkQueue(url, { role: 'coordinator', identity: IDENTITY });
      expect(coordinator).toEqual({ ok: false, error: expect.stringMatching(/^the work queue in schema "t\d+_\d+" at postgres:\/\/porter@\S+ was made by Porter 0\.0\.1, and this is Porter 0\.1\.0-test: run the same Porter version everywhere/) });
      const w = await openWorkQueue(url, { role: 'worker', porterVersion: '0.2.0' });
      expect(w.ok ? '' : w.error).toContain('was made by Porter 0.0.1, and this is Porter 0.2.0');
      for (const r of [coordinator, w]) expect(r.ok ? '' : r.error).not.toContain(cluster!.password);
    });

    it('takes the password from PGPASSWORD when the URL has none', async () => {
      const before = process.env.PGPASSWORD;
      process.env.PGPASSWORD = cluster!.password;
      try {
        const url = cluster!.url(`?schema=${freshSchema()}`).replace(`:${cluster!.password}@`, '@');
        const q = await open(url, { role: 'coordinator', identity: IDENTITY });
        expect(await q.offer([item('a')])).toBe(1);
      } finally {
        if (before === undefined) delete process.env.PGPASSWORD;
        else process.env.PGPASSWORD = before;
      }
    });

    it('reopens its own schema: a resumed coordinator finds the items and outcomes', async () => {
      const url = cluster!.url(`?schema=${freshSchema()}`);
      const first = await open(url, { role: 'coordinator', identity: IDENTITY });
      await first.offer([item('a'), item('b')]);
      await first.close();
      const again = await open(url, { role: 'coordinator', identity: IDENTITY });
      expect(await again.offer([item('a')])).toBe(0);
      const w = await open(url, { role: 'worker', porterVersion: IDENTITY.porterVersion });
      expect(await w.register(worker('w1'))).toEqual({ ok: true });
      expect((await w.claim('w1'))!.item.id).toBe('a');
      expect((await again.snapshot()).items.map((i) => i.state)).toEqual(['held', 'waiting']);
    });
  });
});

describe('a --queue URL', () => {
  it('is shown without its password, wherever the password was given', () => {
    const r = parsePostgresLocation('postgres://me:p%40ss-word@db.example:5433/porter?schema=nightly&sslmode=require', {});
    expect(r).toEqual({
      ok: true,
      location: {
        url: 'postgres://me:p%40ss-word@db.example:5433/porter?sslmode=require',
        shown: 'postgres://me@db.example:5433/porter?sslmode=require&schema=nightly',
        schema: 'nightly',
        password: 'p@ss-word',
      },
    });
    const fromQuery = parsePostgresLocation('postgresql://db/porter?password=hunter2-x', {});
    expect(fromQuery.ok && fromQuery.location.shown).toBe('postgresql://db/porter');
    expect(scrub('login failed at postgres://me:hunter2-x@db/porter for hunter2-x', { password: 'hunter2-x' })).toBe('login failed at postgres://me@db/porter for ***');
  });
});

describe('an unreachable PostgreSQL', () => {
  it('is a one-line error naming the server without the password', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    for (const role of ['coordinator', 'worker'] as const) {
      const r = await openWorkQueue(`postgres://porter:sEcret-Pass-1@127.0.0.1:${port}/porter`, role === 'coordinator' ? { role, identity: IDENTITY } : { role });
      expect(r).toEqual({ ok: false, error: `cannot reach PostgreSQL at postgres://porter@127.0.0.1:${port}/porter: connection refused (is the server running, and are the host and port right?)` });
    }
  });

  it('refuses a schema name Porter would not put in SQL', async () => {
    const r = await openWorkQueue('postgres://u:p@127.0.0.1:1/db?schema=x;drop', { role: 'worker' });
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/^--queue: schema "x;drop" is not a plain Postgres name/) });
  });
});
