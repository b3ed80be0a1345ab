/**
 * The parallel run's face on the command line, in-process: the flags' usage errors, the
 * help texts, and `porter status` on a workspace whose latest run is a parallel one (its
 * log written by the test, with a worker's log beside it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentCommand, statusCommand } from '../../../harness/cli/agent-command.js';
import type { CliIO } from '../../../harness/cli/io.js';
import { workerCommand } from '../../../harness/cli/worker-command.js';
import type { MergeStatus, SessionEntry, SessionEvent } from '../../../harness/agent/types.js';
import { runCli } from '../../support/cli.js';
import { makeWorkspace, type Workspace } from '../workspace-fixture.js';

let ws: Workspace | undefined;
afterEach(() => {
  ws?.cleanup();
  ws = undefined;
});

function io(cwd: string): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  // No credentials: a test that got as far as calling a model would fail loudly.
  const env = { PATH: process.env.PATH, CI: '1' };
  return { out: () => out, err: () => err, stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false, env, cwd };
}

async function usage(command: typeof agentCommand, argv: string[], cwd = process.cwd()): Promise<string> {
  const i = io(cwd);
  expect(await command(argv, i)).toBe(2);
  expect(i.out()).toBe('');
  expect(i.err().split('\n')).toHaveLength(2);
  return i.err();
}

describe('porter agent: parallel flags', () => {
  it('refuses bad --agents, --lease and --queue values with one line each', async () => {
    expect(await usage(agentCommand, ['--agents', '0'])).toBe('porter agent: --agents needs a positive whole number, got "0"\n');
    expect(await usage(agentCommand, ['--agents', 'x'])).toBe('porter agent: --agents needs a positive whole number, got "x"\n');
    expect(await usage(agentCommand, ['--lease', '10ms'])).toBe('porter agent: --lease needs a duration of a second or more (e.g. 10s, 500ms, 2m, 1h, or milliseconds as a number), got "10ms"\n');
    expect(await usage(agentCommand, ['--lease', 'soon'])).toMatch(/^porter agent: --lease needs a duration of a second or more .*, got "soon"\n$/);
    expect(await usage(agentCommand, ['--queue', 'mysql://x'])).toBe('porter agent: --queue mysql://x: give a postgres:// URL (or leave --queue out to run on this machine)\n');
    // A password in a wrong URL is not echoed back.
    expect(await usage(agentCommand, ['--queue', 'mysql://porter:hunter2@db/x'])).toBe('porter agent: --queue mysql://porter@db/x: give a postgres:// URL (or leave --queue out to run on this machine)\n');
  });

  it('refuses --phase and --sync in a parallel run, before asking for credentials', async () => {
    ws = makeWorkspace();
    const phase = 'porter: --phase works with one agent: a parallel run keeps the phase order itself\n';
    expect(await usage(agentCommand, ['--agents', '2', '--phase', 'lexer'], ws.dir)).toBe(phase);
    // A queue makes a run parallel even with no worker on this machine.
    expect(await usage(agentCommand, ['--queue', 'postgres://db/porter', '--phase', 'lexer'], ws.dir)).toBe(phase);
    expect(await usage(agentCommand, ['--agents', '2', '--sync'], ws.dir)).toBe('porter: --sync works with one agent for now: port the drift with one agent, then run in parallel\n');
    // Nothing was started: no session, no lock.
    expect(fs.existsSync(path.join(ws.dir, '.porter'))).toBe(false);
  });
});

describe('porter worker', () => {
  it('needs a postgres:// --queue and a positive --agents', async () => {
    expect(await usage(workerCommand, [])).toBe('porter worker: --queue URL is required: the PostgreSQL URL the coordinator (porter agent --queue URL) uses\n');
    expect(await usage(workerCommand, ['--queue', 'embedded'])).toBe('porter worker: --queue embedded: give a postgres:// URL\n');
    expect(await usage(workerCommand, ['--queue', 'mysql://u:pw@h/db'])).toBe('porter worker: --queue mysql://u@h/db: give a postgres:// URL\n');
    expect(await usage(workerCommand, ['--queue', 'postgres://db/porter', '--agents', '0'])).toBe('porter worker: --agents needs a positive whole number, got "0"\n');
    expect(await usage(workerCommand, ['now'])).toBe('porter worker: unexpected argument "now"; see `porter worker --help`\n');
  });
});

describe('help', () => {
  it('documents the parallel flags and lists the worker command', async () => {
    const agent = await runCli(['agent', '--help'], process.cwd());
    expect(agent.code).toBe(0);
    for (const flag of ['--agents N', '--queue URL', '--lease DURATION']) expect(agent.stdout).toContain(`\n  ${flag} `);
    const worker = await runCli(['worker', '--help'], process.cwd());
    expect(worker.code).toBe(0);
    expect(worker.stdout).toMatch(/^Usage: porter worker --queue URL \[options\]/);
    for (const flag of ['--queue URL', '--agents N', '--config FILE', '--json [FILE]']) expect(worker.stdout).toContain(`\n  ${flag} `);
    const top = await runCli(['--help'], process.cwd());
    expect(top.stdout).toMatch(/^ {2}worker +work for a parallel agent run coordinated on another machine$/m);
  });
});

describe('porter status on a parallel run', () => {
  const RUN = '20260101-000000';
  const I1 = 'w-00000000000a';
  const I2 = 'w-00000000000b';
  const I3 = 'w-00000000000c';
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
  const ZERO = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

  function writeLog(file: string, events: Array<[number, SessionEvent]>): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const entries = events.map(([s, e], i) => ({ v: 1, seq: i + 1, ts: at(s), ...e }) as SessionEntry);
    fs.writeFileSync(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }
  const item = (itemId: string, attempt: number, cases: string[]): SessionEvent => ({ type: 'item', itemId, attempt, phase: 'lexer', label: `cluster ${itemId.slice(-1)}`, cases, base: 'a'.repeat(40) });
  const work = (workerId: string, itemId: string, costUsd: number, busyMs: number): SessionEvent => ({
    type: 'work', workerId, itemId, attempt: 1, phase: 'lexer', outcome: 'result', detail: '', local: true,
    iterations: 2, messages: 4, toolCalls: 3, requests: 2, usage: ZERO, costUsd, models: ['claude-sonnet-5-5'], busyMs,
  });
  const merge = (workerId: string, itemId: string, status: MergeStatus, attempt = 1): SessionEvent => ({ type: 'merge', itemId, attempt, workerId, phase: 'lexer', status, detail: status });

  function parallelRun(dir: string): void {
    const sessions = path.join(dir, '.porter', 'sessions');
    // An older single-agent run: status reads the latest.
    writeLog(path.join(sessions, '20251231-000000.jsonl'), [[0, { type: 'run-start', run: '20251231-000000', config: 'c', argv: [] }]]);
    writeLog(path.join(sessions, `${RUN}.jsonl`), [
      [0, { type: 'run-start', run: RUN, config: 'c', argv: ['agent', '--agents', '2'], rev: 'a'.repeat(40) }],
      [1, { type: 'test-run', iteration: 0, phase: 'lexer', pass: 0, total: 13, passingIds: [], summary: {}, baseline: true }],
      [2, item(I1, 1, ['a', 'b', 'c'])],
      [2, item(I2, 1, ['d', 'e'])],
      [50, work('w1', I1, 0.5, 40_000)],
      [51, merge('w1', I1, 'accepted')],
      [60, work('w2', I2, 0.25, 50_000)],
      [61, merge('w2', I2, 'conflict')],
      [62, item(I2, 2, ['d', 'e'])],
      [62, item(I3, 1, ['f'])],
      [100, { type: 'stop', reason: 'interrupted', detail: 'the run was interrupted' }],
    ]);
    // w1 is still on I2's second attempt; nobody has I3.
    writeLog(path.join(sessions, RUN, `w1-${I2}-2-1.jsonl`), [[70, { type: 'run-start', run: `${RUN}/w1-${I2}-2-1`, config: 'c', argv: ['worker'] }]]);
  }

  it('prints the merge queue, a table per worker and the items still out', async () => {
    ws = makeWorkspace();
    parallelRun(ws.dir);
    const i = io(ws.dir);
    expect(await statusCommand([], i)).toBe(0);
    const out = i.out();
    expect(out).toMatch(new RegExp(`^Run ${RUN}: stopped: interrupted: the run was interrupted\n`));
    expect(out).toContain('Merge queue: 1 accepted · 0 rejected · 1 conflict · 0 superseded\n');
    expect(out).toMatch(/^worker +items +merged +rejected +conflicts +cost +busy$/m);
    // Busy is a share of the run's 100 s of wall time.
    expect(out).toMatch(/^w1 +1 +1 +0 +0 +\$0\.50 +40%$/m);
    expect(out).toMatch(/^w2 +1 +0 +0 +1 +\$0\.25 +50%$/m);
    expect(out).toContain('\nItems out: 2\n');
    expect(out).toContain(`  ${I2} (attempt 2, 2 case(s) of lexer): w1 since ${at(70)} · cluster b\n`);
    expect(out).toContain(`  ${I3} (attempt 1, 1 case(s) of lexer): not being worked on · cluster c\n`);
    expect(out).not.toContain(`${I1} (attempt`);
  });

  it('carries workers, merges and items in --json', async () => {
    ws = makeWorkspace();
    parallelRun(ws.dir);
    const i = io(ws.dir);
    expect(await statusCommand(['--json', '-'], i)).toBe(0);
    const json = JSON.parse(i.out());
    expect(json.run).toBe(RUN);
    expect(json.merges).toEqual({ accepted: 1, rejected: 0, conflicts: 1, superseded: 0 });
    expect(json.workers).toEqual([
      { id: 'w1', items: 1, merged: 1, rejected: 0, conflicts: 0, costUsd: 0.5, busyMs: 40_000 },
      { id: 'w2', items: 1, merged: 0, rejected: 0, conflicts: 1, costUsd: 0.25, busyMs: 50_000 },
    ]);
    expect(json.items).toEqual([
      { id: I2, attempt: 2, phase: 'lexer', label: 'cluster b', cases: 2, worker: 'w1', since: at(70) },
      { id: I3, attempt: 1, phase: 'lexer', label: 'cluster c', cases: 1 },
    ]);
    expect(json.stats).toMatchObject({ iterations: 4, commits: 1, costUsd: 0.75 });
  });

  it('shows no parallel section for a single agent\'s run', async () => {
    ws = makeWorkspace();
    writeLog(path.join(ws.dir, '.porter', 'sessions', `${RUN}.jsonl`), [
      [0, { type: 'run-start', run: RUN, config: 'c', argv: [] }],
      [9, { type: 'stop', reason: 'stall', detail: 'stalled' }],
    ]);
    const i = io(ws.dir);
    expect(await statusCommand([], i)).toBe(0);
    expect(i.out()).not.toContain('Merge queue');
    expect(i.out()).not.toContain('Items out');
    const j = io(ws.dir);
    expect(await statusCommand(['--json', '-'], j)).toBe(0);
    expect(Object.keys(JSON.parse(j.out()))).not.toContain('workers');
  });
});
