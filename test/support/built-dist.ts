/**
 * `dist/` built from the current sources, for the few tests that run the shipped CLI as a
 * real process or load built modules in a child process (Node 20 cannot load TypeScript).
 * Only those tests pay for a build, and only when a source is newer than its output, as
 * `make` decides: after `npm ci` (whose prepare step builds) or an earlier test run there
 * is nothing to do. A lock keeps test workers from building at the same time.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const distDir = path.join(repoRoot, 'dist');
const lockDir = path.join(distDir, '.build-lock');
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'].map((f) => path.join(repoRoot, f));

/** Sources the build compiles (tsconfig.build.json), each with the output it writes. */
function sources(dir = path.join(repoRoot, 'harness')): Array<{ ts: string; js: string }> {
  const out: Array<{ ts: string; js: string }> = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) {
      out.push({ ts: p, js: path.join(distDir, path.relative(repoRoot, p)).replace(/\.ts$/, '.js') });
    }
  }
  return out;
}

function upToDate(): boolean {
  const configTime = Math.max(...CONFIGS.map((f) => fs.statSync(f).mtimeMs));
  return sources().every(({ ts, js }) => {
    const built = fs.statSync(js, { throwIfNoEntry: false })?.mtimeMs;
    return built !== undefined && built >= fs.statSync(ts).mtimeMs && built >= configTime;
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the build lock, taking over one whose owner is gone. */
async function lock(deadline: number): Promise<() => void> {
  fs.mkdirSync(distDir, { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = 0;
    try {
      owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
    } catch {
      // Released meanwhile, or its owner has not written its pid yet.
    }
    // No pid yet: the owner is between mkdir and write, unless it died there long ago.
    const gone = owner > 0 ? !alive(owner) : Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 10_000;
    if (gone) fs.rmSync(lockDir, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`dist/ is being built by pid ${owner} for too long; remove ${lockDir} if no build is running`);
    else await new Promise((r) => setTimeout(r, 200));
  }
}

let built: Promise<void> | null = null;

/** Builds `dist/` when a source is newer than its output; resolves once it is current. */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    if (upToDate()) return;
    const release = await lock(Date.now() + 300_000);
    try {
      // Another worker may have built it while this one waited.
      if (upToDate()) return;
      await promisify(execFile)(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: repoRoot }).catch((err: { stdout?: string; message: string }) => {
        throw new Error(`building dist/ for the tests failed (npm run build):\n${err.stdout || err.message}`);
      });
    } finally {
      release();
    }
  })();
  return built;
}
