import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createExecRunner } from '../../harness/target/exec-runner.js';
import type { TargetOutcome } from '../../harness/target/types.js';
import { request, tempDir, waitDead, writeScript } from './helpers.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** One process per case: reads the whole request, behaves by id prefix like the stdio worker. */
const EXEC_TARGET = writeScript(
  dir,
  'exec-target.mjs',
  `#!/usr/bin/env node
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const req = JSON.parse(Buffer.concat(chunks).toString());
  const id = req.id;
  if (id.startsWith('exit')) { process.stderr.write('panic: exec boom ' + id + '\\n'); process.exit(4); }
  if (id.startsWith('big')) { process.stdout.write('y'.repeat(3 * 1024 * 1024)); return; }
  if (id.startsWith('json')) { process.stdout.write(JSON.stringify({ id, output: 'not unwrapped' })); return; }
  process.stdout.write('exec:' + req.input.body + '\\n');
});
`,
);

function runner(extra: Partial<Parameters<typeof createExecRunner>[0]> = {}) {
  return createExecRunner({ command: [EXEC_TARGET], cwd: dir, workers: 2, timeoutMs: 5000, maxOutputBytes: 1024 * 1024, ...extra });
}

async function runAll(ids: string[], extra: Partial<Parameters<typeof createExecRunner>[0]> = {}): Promise<TargetOutcome[]> {
  const r = runner(extra);
  expect(await r.start()).toEqual({ ok: true });
  try {
    return await Promise.all(ids.map((id) => r.run(request(id))));
  } finally {
    await r.close();
  }
}

describe('exec runner', () => {
  it('exit 0: stdout is the raw output, even when it looks like a JSON response', async () => {
    const out = await runAll(['a', 'b', 'c', 'json1']);
    expect(out.slice(0, 3)).toMatchObject([
      { status: 'output', output: 'exec:body of a\n' },
      { status: 'output', output: 'exec:body of b\n' },
      { status: 'output', output: 'exec:body of c\n' },
    ]);
    expect(out[3]).toMatchObject({ status: 'output', output: '{"id":"json1","output":"not unwrapped"}' });
  });

  it('a non-zero exit is a crash with the stderr tail; the others pass', async () => {
    const out = await runAll(['a', 'exit1', 'b']);
    expect(out[1]).toMatchObject({ status: 'crash', exitCode: 4, signal: null });
    expect(out[1]?.status === 'crash' && out[1].stderrTail).toContain('panic: exec boom exit1');
    expect([out[0], out[2]].map((o) => o?.status)).toEqual(['output', 'output']);
  });

  it('a hang is a timeout and the child it started dies with it', async () => {
    // A shell script starts in a millisecond, so the child exists long before the timeout even
    // on a loaded machine (a Node script's start-up alone can exceed a short timeout there).
    const pidFile = path.join(dir, 'exec-hang.pid');
    const hang = writeScript(dir, 'hang.sh', `#!/bin/sh\nsleep 30 &\necho $! > ${pidFile}\nwait\n`);
    const r = createExecRunner({ command: [hang], cwd: dir, workers: 1, timeoutMs: 500, maxOutputBytes: 1e6 });
    const out = await r.run(request('hang1'));
    await r.close();
    expect(out.status).toBe('timeout');
    expect(await waitDead(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(true);
    expect((await runAll(['a']))[0]).toMatchObject({ status: 'output', output: 'exec:body of a\n' });
  });

  it('stdout over the limit is an error; the others pass', async () => {
    const out = await runAll(['big1', 'a']);
    expect(out[0]?.status === 'error' && out[0].message).toMatch(/exceeds the output limit of 1048576 bytes/);
    expect(out[1]?.status).toBe('output');
  });

  it('runs many cases with bounded concurrency', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `n${i}`);
    const out = await runAll(ids, { workers: 3 });
    expect(out.map((o) => (o.status === 'output' ? o.output : o.status))).toEqual(ids.map((id) => `exec:body of ${id}\n`));
  });

  it('start() reports a missing command, a non-executable file and a missing cwd without running anything', async () => {
    const missing = await createExecRunner({ command: ['porter-no-such-command-xyz'], cwd: dir, workers: 1, timeoutMs: 1000, maxOutputBytes: 1e6 }).start();
    expect(!missing.ok && missing.message).toMatch(/^target command "porter-no-such-command-xyz" not found \(target\.command in porter\.config\.yaml\)/);
    const relMissing = await createExecRunner({ command: ['./bin/port'], cwd: dir, workers: 1, timeoutMs: 1000, maxOutputBytes: 1e6 }).start();
    expect(!relMissing.ok && relMissing.message).toMatch(/"\.\/bin\/port" not found/);
    const plain = writeScript(dir, 'plain.sh', '#!/bin/sh\n', 0o644);
    const notExec = await createExecRunner({ command: [plain], cwd: dir, workers: 1, timeoutMs: 1000, maxOutputBytes: 1e6 }).start();
    expect(!notExec.ok && notExec.message).toMatch(/is not executable/);
    const noCwd = await createExecRunner({ command: ['node'], cwd: path.join(dir, 'nope'), workers: 1, timeoutMs: 1000, maxOutputBytes: 1e6 }).start();
    expect(!noCwd.ok && noCwd.message).toMatch(/target\.cwd/);
    expect(await createExecRunner({ command: ['node'], cwd: dir, workers: 1, timeoutMs: 1000, maxOutputBytes: 1e6 }).start()).toEqual({ ok: true });
  });

  it('a command that vanishes mid-run is an error for its case, not an exception', async () => {
    const gone = path.join(dir, 'gone.sh');
    const r = createExecRunner({ command: [gone], cwd: dir, workers: 1, timeoutMs: 1000, maxOutputBytes: 1e6 });
    const out = await r.run(request('a'));
    expect(out.status === 'error' && out.message).toMatch(/not found/);
    await r.close();
  });
});
