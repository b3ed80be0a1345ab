import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, waitDead, writeScript } from './helpers.js';

// Porter itself must die here, so it runs in a child process. The child needs JavaScript: the
// target and util modules (which import only each other and Node) and the CLI's signal
// handlers are transpiled into the temp dir, keeping their folders.
const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const harness = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../harness');
const sources = [
  ...['target', 'util'].flatMap((folder) => fs.readdirSync(path.join(harness, folder)).filter((f) => f.endsWith('.ts')).map((f) => `${folder}/${f}`)),
  'cli/signals.ts',
];
for (const rel of sources) {
  const js = ts.transpileModule(fs.readFileSync(path.join(harness, rel), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel.replace(/\.ts$/, '.js')), js);
}

const stubborn = writeScript(
  dir,
  'stubborn.mjs',
  `import { spawn } from 'node:child_process';
   const child = spawn('sleep', ['30'], { stdio: 'ignore' });
   process.on('SIGTERM', () => {});
   setInterval(() => {}, 1000);
   process.stdin.on('data', (d) => {
     const req = JSON.parse(d.toString());
     process.stdout.write(JSON.stringify({ id: req.id, output: process.pid + ' ' + child.pid }) + '\\n');
   });`,
);

const porterLike = writeScript(
  dir,
  'porter-like.mjs',
  `import { installSignalHandlers } from './cli/signals.js';
   import { createStdioPool } from './target/stdio-pool.js';
   installSignalHandlers();
   const pool = createStdioPool({ command: ['node', ${JSON.stringify(stubborn)}], cwd: ${JSON.stringify(dir)}, workers: 2, timeoutMs: 60000, maxOutputBytes: 1e6, startupGraceMs: 50 });
   await pool.start();
   const a = await pool.run({ id: 'a', phase: 'p', input: null, files: {}, snapshot: { path: 's', header: {} } });
   const b = await pool.run({ id: 'b', phase: 'p', input: null, files: {}, snapshot: { path: 's', header: {} } });
   process.stdout.write(a.output + ' ' + b.output + '\\n');
   if (process.argv[2] === 'throw') setTimeout(() => { throw new Error('porter bug'); }, 10);
   setInterval(() => {}, 1000);`,
);

/** Runs the Porter stand-in until it has live workers; returns it and every pid it started. */
async function startPorterLike(mode = ''): Promise<{ proc: ReturnType<typeof spawn>; pids: number[]; exited: Promise<{ code: number | null; signal: string | null }> }> {
  const proc = spawn('node', [porterLike, mode], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  let out = '';
  const pids = await new Promise<number[]>((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim().split(' ').map(Number));
    });
    proc.on('exit', () => reject(new Error(`porter-like exited early: ${out}`)));
  });
  return { proc, pids, exited };
}

describe('no orphans when Porter itself ends (with the handlers the CLI installs)', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} to Porter kills the worker groups and Porter still ends by that signal`, async () => {
      const { proc, pids, exited } = await startPorterLike();
      expect(pids).toHaveLength(4);
      proc.kill(signal);
      expect(await exited).toEqual({ code: null, signal });
      for (const pid of pids) expect(await waitDead(pid)).toBe(true);
    });
  }

  it('an uncaught exception in Porter kills the worker groups', async () => {
    const { pids, exited } = await startPorterLike('throw');
    expect((await exited).code).toBe(1);
    for (const pid of pids) expect(await waitDead(pid)).toBe(true);
  });
});
