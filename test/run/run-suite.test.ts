/**
 * runSuite itself, with a scripted target runner in place of target processes: what it
 * sends, how each outcome becomes a result, what the skip-list, overrides and protected
 * cases change, selection, and the runner's start and close around a run.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../harness/config/load.js';
import type { PorterConfig } from '../../harness/config/types.js';
import { runSuite, type RunOptions } from '../../harness/run/run-suite.js';
import type { CaseResult, RunResult } from '../../harness/run/types.js';
import type { TargetOutcome, TargetRequest, TargetRunner } from '../../harness/target/types.js';
import { createMiniProject, type MiniProject } from '../support/mini-project.js';

let project: MiniProject | undefined;
afterEach(() => {
  if (project) fs.rmSync(project.dir, { recursive: true, force: true });
  project = undefined;
});

interface ScriptedRunner extends TargetRunner {
  requests: TargetRequest[];
  events: string[];
  workers: number | null;
}

/** Answers by input file name: `hang*` times out, `crash*` crashes, `broken*` errors, anything else is upper-cased. */
function scriptedRunner(start: { ok: true } | { ok: false; message: string } = { ok: true }): ScriptedRunner {
  const runner: ScriptedRunner = {
    requests: [],
    events: [],
    workers: null,
    async start() {
      runner.events.push('start');
      // Settles a little later, so a close that does not wait for it would be seen first.
      await new Promise((r) => setTimeout(r, 20));
      runner.events.push('started');
      return start;
    },
    async run(req): Promise<TargetOutcome> {
      runner.requests.push(req);
      const name = req.input!.path.split('/').pop()!;
      if (name.startsWith('hang')) return { status: 'timeout', durationMs: 1500, stderrTail: 'still thinking' };
      if (name.startsWith('crash')) return { status: 'crash', durationMs: 3, exitCode: 3, signal: null, stderrTail: 'adapter: boom' };
      if (name.startsWith('broken')) return { status: 'error', durationMs: 1, message: 'protocol error: the response is not JSON' };
      return { status: 'output', output: req.input!.body.toUpperCase(), durationMs: 2 };
    },
    async close() {
      runner.events.push('close');
    },
  };
  return runner;
}

async function setUp(cases: Record<string, { input: string; expected: string }>, configExtra = ''): Promise<PorterConfig> {
  project = createMiniProject(cases, configExtra);
  const loaded = await loadConfig(`${project.dir}/porter.config.yaml`);
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.config;
}

async function run(config: PorterConfig, runner: ScriptedRunner, options: RunOptions = {}): Promise<RunResult> {
  const createRunner = (_c: unknown, workers: number) => {
    runner.workers = workers;
    return runner;
  };
  const r = await runSuite(config, { ...options, createRunner });
  if (!r.ok) throw new Error(r.message);
  return r.result;
}

const byId = (result: RunResult) => new Map<string, CaseResult>(result.cases.map((c) => [c.id.replace('test_upper__upper@', ''), c]));

describe('runSuite with a scripted target', () => {
  it('sends each case once and turns every kind of outcome into its result and counts', async () => {
    const config = await setUp({
      'a.txt': { input: 'hello', expected: 'HELLO' },
      'wrong.txt': { input: 'abc', expected: 'ABD' },
      'hang.txt': { input: 'x', expected: 'X' },
      'crash.txt': { input: 'x', expected: 'X' },
      'broken.txt': { input: 'x', expected: 'X' },
    });
    const runner = scriptedRunner();
    const seen: Array<[string, number, number]> = [];
    let clock = 100;
    const result = await run(config, runner, { onCase: (c, done, total) => seen.push([c.id, done, total]), now: () => (clock += 50) });

    expect(runner.workers).toBe(2);
    expect(runner.requests.map((r) => r.id).sort()).toEqual(result.cases.map((c) => c.id).sort());
    expect(runner.requests).toHaveLength(5);
    const a = runner.requests.find((r) => r.id === 'test_upper__upper@a.txt')!;
    expect(a).toMatchObject({ phase: 'upper', input: { path: 'tests/inputs/a.txt', body: 'hello' }, files: {} });
    expect(a.snapshot).toMatchObject({ path: 'tests/snapshots/test_upper__upper@a.txt.snap', header: { source: 'tests/test_upper.rs', expression: 'upper(input)', input_file: 'tests/inputs/a.txt' } });

    const c = byId(result);
    expect(c.get('a.txt')).toMatchObject({ status: 'pass', rawStatus: 'pass', durationMs: 2, inputPath: 'tests/inputs/a.txt' });
    expect(c.get('wrong.txt')).toMatchObject({ status: 'fail', actual: 'ABC' });
    expect(c.get('wrong.txt')!.diff).toContain('-ABD');
    expect(c.get('hang.txt')).toMatchObject({ status: 'timeout', reason: 'no answer within the timeout (1500 ms)', stderrTail: 'still thinking' });
    expect(c.get('crash.txt')).toMatchObject({ status: 'crash', reason: 'target crashed (exit code 3)', stderrTail: 'adapter: boom' });
    expect(c.get('broken.txt')).toMatchObject({ status: 'error', reason: 'protocol error: the response is not JSON' });
    expect(result.phases).toEqual([expect.objectContaining({ phase: 'upper', total: 5, pass: 1, fail: 1, timeout: 1, crash: 1, error: 1, skip: 0 })]);
    // Reported as each case finishes: every case once, counting up to the total.
    expect(seen.map(([, done]) => done)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(seen.map(([id]) => id)).size).toBe(5);
    expect(seen.every(([, , total]) => total === 5)).toBe(true);
    expect(result.durationMs).toBe(50);
    expect(runner.events).toEqual(['start', 'started', 'close']);
  });

  it('applies the skip-list and overrides, except to protected cases, and reports stale entries', async () => {
    const config = await setUp(
      {
        'a.txt': { input: 'hello', expected: 'HELLO' },
        'parked.txt': { input: 'abc', expected: 'ABD' },
        'fixed.txt': { input: 'abc', expected: 'ABC' },
        'guarded.txt': { input: 'abc', expected: 'ABD' },
        'accepted.txt': { input: 'abc', expected: 'ABD' },
      },
      'overrides: overrides\nprotected: ["test_upper__upper@guarded.txt"]\n',
    );
    project!.write('skiplist/upper.txt', [
      'test_upper__upper@parked.txt  # D is not C',
      'test_upper__upper@fixed.txt  # was broken',
      'test_upper__upper@guarded.txt  # wishful',
      'test_upper__upper@gone.txt  # deleted case',
      '',
    ].join('\n'));
    const override = '---\nreason: "C is accepted here"\n---\nABC\n';
    project!.write('overrides/test_upper__upper@accepted.txt.snap', override);
    project!.write('overrides/test_upper__upper@guarded.txt.snap', override);
    const result = await run(config, scriptedRunner());

    const c = byId(result);
    expect(c.get('a.txt')).toMatchObject({ status: 'pass' });
    expect(c.get('parked.txt')).toMatchObject({ status: 'skip', rawStatus: 'fail', skipReason: 'D is not C' });
    expect(c.get('fixed.txt')).toMatchObject({ status: 'unexpected-pass', rawStatus: 'pass', skipReason: 'was broken' });
    expect(c.get('accepted.txt')).toMatchObject({ status: 'pass', how: 'override', overrideReason: 'C is accepted here' });
    // Protected: judged against the snapshot itself, with neither its override nor its skip entry.
    expect(c.get('guarded.txt')).toMatchObject({ status: 'fail', rawStatus: 'fail', protected: true });
    expect(c.get('guarded.txt')!.skipReason).toBeUndefined();
    expect(result.warnings).toContain('test_upper__upper@guarded.txt is protected: its skip-list entry is ignored');
    expect(result.staleSkips).toEqual([expect.objectContaining({ pattern: 'test_upper__upper@gone.txt', line: 4 })]);
    expect(result.phases[0]).toMatchObject({ total: 5, pass: 2, fail: 1, skip: 1, unexpectedPass: 1, overrides: 1 });
  });

  it('runs only the selected cases, with the workers asked for', async () => {
    const config = await setUp({ 'a.txt': { input: 'a', expected: 'A' }, 'b.txt': { input: 'b', expected: 'B' }, 'c.txt': { input: 'c', expected: 'C' } });
    const runner = scriptedRunner();
    const result = await run(config, runner, { filter: 'test_upper__upper@[ab].txt', workers: 0 });
    expect(result.cases.map((c) => c.id).sort()).toEqual(['test_upper__upper@a.txt', 'test_upper__upper@b.txt']);
    expect(runner.requests).toHaveLength(2);
    expect(runner.workers).toBe(1);
    expect(result.phases[0]).toMatchObject({ total: 2, pass: 2 });
  });

  it('refuses an unknown phase before starting anything, and a filter that matches nothing after closing the runner', async () => {
    const config = await setUp({ 'a.txt': { input: 'a', expected: 'A' } });
    const runner = scriptedRunner();
    const create = () => runner;
    expect(await runSuite(config, { phases: ['typer'], createRunner: create })).toEqual({ ok: false, message: expect.stringMatching(/^unknown phase "typer" \(phases in .*porter\.config\.yaml: upper\)$/) });
    expect(runner.events).toEqual([]);
    expect(await runSuite(config, { filter: 'nothing*', createRunner: create })).toEqual({ ok: false, message: '--filter "nothing*" matches no case; run `porter list` to see case ids' });
    expect(runner.events).toEqual(['start', 'started', 'close']);
    expect(runner.requests).toEqual([]);
  });

  it('fails the run with the target\'s message when it cannot start, unless no case could run anyway', async () => {
    const config = await setUp({ 'a.txt': { input: 'a', expected: 'A' } });
    const message = 'target command "node adapter.mjs" exited with code 1 right after starting, before any request';
    const runner = scriptedRunner({ ok: false, message });
    expect(await runSuite(config, { createRunner: () => runner })).toEqual({ ok: false, message });
    expect(runner.events).toEqual(['start', 'started', 'close']);

    // A case that cannot run (its input is missing) is a result, and needs no target.
    fs.rmSync(`${project!.dir}/source/tests/inputs/a.txt`);
    const again = scriptedRunner({ ok: false, message });
    const result = await run(config, again);
    expect(again.requests).toEqual([]);
    expect(result.cases).toEqual([expect.objectContaining({ status: 'error', reason: expect.stringContaining('a.txt') })]);
    expect(again.events).toEqual(['start', 'started', 'close']);
  });
});
