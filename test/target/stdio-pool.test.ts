import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStdioPool, type StdioPoolOptions } from '../../harness/target/stdio-pool.js';
import type { TargetOutcome } from '../../harness/target/types.js';
import { FAULTY_WORKER, PYTHON_WORKER, request, tempDir, waitDead, writeScript } from './helpers.js';

const dir = tempDir();
const worker = writeScript(dir, 'worker.mjs', FAULTY_WORKER);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function pool(extra: Partial<StdioPoolOptions> = {}) {
  return createStdioPool({
    command: ['node', worker, dir],
    cwd: dir,
    workers: 1,
    timeoutMs: 5000,
    maxOutputBytes: 1024 * 1024,
    startupGraceMs: 50,
    ...extra,
  });
}

/** Starts a pool, runs the ids in order (all queued at once), closes it. */
async function runAll(ids: string[], extra: Partial<StdioPoolOptions> = {}): Promise<TargetOutcome[]> {
  const p = pool(extra);
  expect(await p.start()).toEqual({ ok: true });
  try {
    return await Promise.all(ids.map((id) => p.run(request(id))));
  } finally {
    await p.close();
  }
}

function outputOf(o: TargetOutcome | undefined): string {
  if (o?.status !== 'output') throw new Error(`expected output, got ${JSON.stringify(o)}`);
  return o.output;
}

function messageOf(o: TargetOutcome | undefined): string {
  if (o?.status !== 'error') throw new Error(`expected error, got ${JSON.stringify(o)}`);
  return o.message;
}

describe('stdio pool: normal operation', () => {
  it('answers every case through two workers and passes the error field through', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `case${i}`);
    const out = await runAll([...ids, 'err1'], { workers: 2 });
    expect(out.slice(0, 40).map(outputOf)).toEqual(ids.map((id) => `echo:body of ${id}`));
    expect(out[40]).toMatchObject({ status: 'output', output: 'Error!', error: { kind: 'SyntaxError', message: 'unexpected end', line: 3 } });
  });

  it('works without an explicit start(), spawning workers on demand', async () => {
    const p = pool();
    const out = await Promise.all([p.run(request('a')), p.run(request('b'))]);
    await p.close();
    expect(out.map(outputOf)).toEqual(['echo:body of a', 'echo:body of b']);
  });

  it('close() ends every worker and later runs are errors, not hangs', async () => {
    const p = pool({ workers: 2 });
    await p.start();
    const pids = new Set((await Promise.all(Array.from({ length: 10 }, (_, i) => p.run(request(`pid${i}`))))).map(outputOf));
    await p.close();
    for (const pid of pids) expect(await waitDead(Number(pid))).toBe(true);
    expect(messageOf(await p.run(request('late')))).toMatch(/closed/);
  });

  it('close() kills a worker that ignores end of input, and its children', async () => {
    const stubborn = writeScript(
      dir,
      'stubborn.mjs',
      `import { spawn } from 'node:child_process';
       const child = spawn('sleep', ['30'], { stdio: 'ignore' });
       setInterval(() => {}, 1000);
       process.stdin.on('data', (d) => {
         const req = JSON.parse(d.toString());
         process.stdout.write(JSON.stringify({ id: req.id, output: process.pid + ' ' + child.pid }) + '\\n');
       });`,
    );
    const p = createStdioPool({ command: ['node', stubborn], cwd: dir, workers: 1, timeoutMs: 5000, maxOutputBytes: 1e6, startupGraceMs: 50, closeGraceMs: 200 });
    expect(await p.start()).toEqual({ ok: true });
    const [workerPid, childPid] = outputOf(await p.run(request('a'))).split(' ').map(Number);
    await p.close();
    expect(await waitDead(workerPid!)).toBe(true);
    expect(await waitDead(childPid!)).toBe(true);
  });
});

describe('stdio pool: faults never stop the run', () => {
  it('a hang is a timeout; the worker and the child it started are killed; later cases pass', async () => {
    const out = await runAll(['pid-before', 'hang1', 'a', 'b'], { timeoutMs: 500 });
    expect(out[1]).toMatchObject({ status: 'timeout' });
    expect(out[1]?.status === 'timeout' && out[1].stderrTail).toContain('handling hang1');
    const sleepPid = Number(fs.readFileSync(path.join(dir, 'hang1.pid'), 'utf8'));
    expect(await waitDead(sleepPid)).toBe(true);
    expect(await waitDead(Number(outputOf(out[0])))).toBe(true);
    expect(out.slice(2).map(outputOf)).toEqual(['echo:body of a', 'echo:body of b']);
  });

  it('a worker that dies is a crash with its stderr tail; a fresh worker takes the next cases', async () => {
    const out = await runAll(['a', 'exit1', 'b', 'c']);
    expect(out[1]).toMatchObject({ status: 'crash', exitCode: 3, signal: null });
    expect(out[1]?.status === 'crash' && out[1].stderrTail).toContain('panic: boom while running exit1');
    expect(out[1]?.status === 'crash' && out[1].message).toBeUndefined();
    expect([out[0], out[2], out[3]].map(outputOf)).toEqual(['echo:body of a', 'echo:body of b', 'echo:body of c']);
  });

  it('crashes after a first answer never give up on the pool, however many in a row', async () => {
    const out = await runAll(['a', 'exit1', 'exit2', 'exit3', 'exit4', 'b'], { maxStartupCrashes: 2 });
    expect(out.slice(1, 5).map((o) => o.status)).toEqual(['crash', 'crash', 'crash', 'crash']);
    expect(out.slice(1, 5).every((o) => o.status === 'crash' && o.message === undefined)).toBe(true);
    expect(outputOf(out[5])).toBe('echo:body of b');
  });

  it('a line that is not JSON is an error naming the line; the worker is restarted', async () => {
    const out = await runAll(['pid1', 'garbage1', 'pid2', 'a']);
    expect(messageOf(out[1])).toMatch(/not JSON.*"this is not json".*stderr/);
    expect(outputOf(out[2])).not.toBe(outputOf(out[0]));
    expect(outputOf(out[3])).toBe('echo:body of a');
  });

  it('a stray debug line before the answer is an error for that case, and the stream resyncs', async () => {
    const out = await runAll(['debug1', 'a', 'b']);
    expect(messageOf(out[0])).toContain('debug: looking at debug1');
    expect(out.slice(1).map(outputOf)).toEqual(['echo:body of a', 'echo:body of b']);
  });

  it('a 5 MB line over a 1 MB limit is an error; the worker is restarted; later cases pass', async () => {
    const out = await runAll(['big1', 'a', 'big2', 'b']);
    expect(messageOf(out[0])).toMatch(/exceeds the output limit of 1048576 bytes/);
    expect(messageOf(out[2])).toMatch(/exceeds/);
    expect([out[1], out[3]].map(outputOf)).toEqual(['echo:body of a', 'echo:body of b']);
  });

  it('an answer with the wrong id is an error naming both ids', async () => {
    const out = await runAll(['wrongid1', 'a']);
    expect(messageOf(out[0])).toContain('"someone-else" does not match the request id "wrongid1"');
    expect(outputOf(out[1])).toBe('echo:body of a');
  });

  it('an answer without output is an error but keeps the worker, which is still in step', async () => {
    const out = await runAll(['pid1', 'noout1', 'pid2']);
    expect(messageOf(out[1])).toContain('no string "output"');
    expect(outputOf(out[2])).toBe(outputOf(out[0]));
  });

  it("a fresh worker's first request also gets the start-up allowance; later ones do not", async () => {
    const slow = writeScript(
      dir,
      'slow-start.mjs',
      `const until = Date.now() + 700; while (Date.now() < until) {}
       process.stdin.on('data', (d) => {
         for (const line of d.toString().split('\\n').filter(Boolean)) {
           const req = JSON.parse(line);
           if (req.id.startsWith('hang')) continue;
           process.stdout.write(JSON.stringify({ id: req.id, output: 'ok' }) + '\\n');
         }
       });`,
    );
    const opts = { command: ['node', slow], cwd: dir, workers: 1, timeoutMs: 300, maxOutputBytes: 1e6, startupGraceMs: 0 };
    const tight = createStdioPool(opts);
    expect((await tight.run(request('a'))).status).toBe('timeout');
    await tight.close();
    const patient = createStdioPool({ ...opts, startupTimeoutMs: 5000 });
    expect(outputOf(await patient.run(request('a')))).toBe('ok');
    // The worker's timer was armed for the long first-request limit; the second request still
    // times out on its own 300 ms deadline, not the first one's 5.3 s (a loose bound, not a timing test).
    const hang = await patient.run(request('hang1'));
    expect(hang.status).toBe('timeout');
    expect(hang.durationMs).toBeLessThan(4000);
    await patient.close();
  });

  it('faults on two workers at once still complete the run', async () => {
    const ids = ['a', 'hang1', 'exit1', 'garbage1', 'b', 'big1', 'wrongid1', 'c', 'd', 'e'];
    // Restarted Node workers boot inside a case's time: 800 ms plus the start-up allowance.
    const out = await runAll(ids, { workers: 2, timeoutMs: 800 });
    expect(out.map((o) => o.status)).toEqual(['output', 'timeout', 'crash', 'error', 'output', 'error', 'error', 'output', 'output', 'output']);
  });
});

describe('stdio pool: a command that cannot start', () => {
  it('a missing command is one clear message, and runs fail fast', async () => {
    const p = createStdioPool({ command: ['porter-no-such-command-xyz', '--serve'], cwd: dir, workers: 2, timeoutMs: 1000, maxOutputBytes: 1e6 });
    const res = await p.start();
    expect(res.ok).toBe(false);
    expect(!res.ok && res.message).toMatch(/^target command "porter-no-such-command-xyz" not found \(target\.command in porter\.config\.yaml\)/);
    expect(messageOf(await p.run(request('a')))).toMatch(/not found/);
    await p.close();
  });

  it('a file that is not executable says so', async () => {
    const file = writeScript(dir, 'not-exec.sh', '#!/bin/sh\necho hi\n', 0o644);
    const p = createStdioPool({ command: [file], cwd: dir, workers: 1, timeoutMs: 1000, maxOutputBytes: 1e6 });
    const res = await p.start();
    expect(!res.ok && res.message).toMatch(/is not executable .*chmod \+x/);
    await p.close();
  });

  it('a missing working directory names target.cwd', async () => {
    const p = createStdioPool({ command: ['node'], cwd: path.join(dir, 'nope'), workers: 1, timeoutMs: 1000, maxOutputBytes: 1e6 });
    const res = await p.start();
    expect(!res.ok && res.message).toMatch(/target\.cwd/);
  });

  it('a command that exits right away reports its exit code and stderr', async () => {
    const p = createStdioPool({
      command: ['node', '-e', 'process.stderr.write("SyntaxError: bad port\\n"); process.exit(2)'],
      cwd: dir,
      workers: 2,
      timeoutMs: 1000,
      maxOutputBytes: 1e6,
      startupGraceMs: 2000,
    });
    const res = await p.start();
    expect(!res.ok && res.message).toMatch(/exited with code 2 right after starting.*SyntaxError: bad port/);
  });

  it('a worker that dies on every first request stops being restarted after the cap', async () => {
    const dies = writeScript(dir, 'dies.mjs', `process.stdin.once('data', () => { process.stderr.write('ImportError: no module named port\\n'); process.exit(1); });`);
    const p = createStdioPool({ command: ['node', dies], cwd: dir, workers: 1, timeoutMs: 2000, maxOutputBytes: 1e6, startupGraceMs: 50, maxStartupCrashes: 3 });
    expect(await p.start()).toEqual({ ok: true });
    const out = await Promise.all(Array.from({ length: 8 }, (_, i) => p.run(request(`c${i}`))));
    await p.close();
    expect(out.every((o) => o.status === 'crash' && o.stderrTail.includes('ImportError'))).toBe(true);
    const notRun = out.filter((o) => o.status === 'crash' && o.message !== undefined);
    expect(notRun).toHaveLength(5);
    expect(notRun[0]?.status === 'crash' && notRun[0].message).toMatch(/^not run: the target died 3 times in a row before answering any request/);
  });
});

describe('stdio pool: language-neutral protocol', () => {
  it('drives a Python worker', async () => {
    const py = writeScript(dir, 'worker.py', PYTHON_WORKER);
    const p = createStdioPool({ command: ['python3', py], cwd: dir, workers: 2, timeoutMs: 5000, maxOutputBytes: 1e6, startupGraceMs: 50 });
    expect(await p.start()).toEqual({ ok: true });
    const out = await Promise.all(['a', 'ünï', 'err1'].map((id) => p.run(request(id))));
    await p.close();
    expect(out.map(outputOf)).toEqual(['py:body of a:refs/a.txt', 'py:body of ünï:refs/a.txt', 'py:body of err1:refs/a.txt']);
    expect(out[2]).toMatchObject({ error: { kind: 'InvalidOperation', message: 'nope' } });
    expect(out[2]?.status === 'output' && out[2].error?.line).toBeUndefined();
  });
});
