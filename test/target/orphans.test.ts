import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, waitDead, writeScript } from './helpers.js';

// Porter itself must die here, so it runs in a child process. The child needs JavaScript: the
// target modules (which import only each other and Node) are transpiled into the temp dir.
const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../harness/target');
const outDir = path.join(dir, 'target');
fs.mkdirSync(outDir);
for (const f of fs.readdirSync(srcDir).filter((f) => f.endsWith('.ts'))) {
  const js = ts.transpileModule(fs.readFileSync(path.join(srcDir, f), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  fs.writeFileSync(path.join(outDir, f.replace(/\.ts$/, '.js')), js);
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
  `import { createStdioPool } from './target/stdio-pool.js';
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

describe('no orphans when Porter itself ends', () => {
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
