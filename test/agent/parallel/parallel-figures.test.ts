import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parallelFigures } from '../../../harness/agent/parallel/parallel-figures.js';
import { openItemStatus } from '../../../harness/agent/parallel/parallel-status.js';
import { workerSessionsDir } from '../../../harness/agent/porter-dir.js';
import type { MergeStatus, SessionEntry, SessionEvent } from '../../../harness/agent/types.js';
import { useTempDir } from '../../support/temp-dir.js';

const tmp = useTempDir('parallel-figures');
const ZERO = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
const I1 = 'w-000000000001';
const I2 = 'w-000000000002';
const I3 = 'w-000000000003';
const I4 = 'w-000000000004';

function log(...events: SessionEvent[]): SessionEntry[] {
  return logAt(0, ...events);
}

/** Entries a second apart from `minute` minutes into the run. */
function logAt(minute: number, ...events: SessionEvent[]): SessionEntry[] {
  return events.map((e, i) => ({ v: 1, seq: i + 1, ts: new Date(Date.UTC(2026, 0, 1, 0, minute, i)).toISOString(), ...e }) as SessionEntry);
}

const start: SessionEvent = { type: 'run-start', run: 'r', config: 'c', argv: [] };
const item = (itemId: string, attempt = 1, cases = ['a', 'b']): SessionEvent => ({ type: 'item', itemId, attempt, phase: 'ops', label: `label ${itemId}`, cases, base: 'b'.repeat(40) });
const work = (workerId: string, itemId: string, costUsd: number, busyMs: number, attempt = 1): SessionEvent => ({
  type: 'work', workerId, itemId, attempt, phase: 'ops', outcome: 'result', detail: '', local: true,
  iterations: 1, messages: 2, toolCalls: 3, requests: 1, usage: ZERO, costUsd, models: ['m'], busyMs,
});
const merge = (workerId: string, itemId: string, status: MergeStatus, attempt = 1): SessionEvent => ({ type: 'merge', itemId, attempt, workerId, phase: 'ops', status, detail: status });

describe('parallelFigures', () => {
  it('counts per worker what it took, what was merged, rejected or conflicted, its cost and busy time', () => {
    const f = parallelFigures(log(
      start, item(I1), item(I2), item(I3),
      work('w2', I2, 0.25, 500), work('w1', I1, 0.5, 1000), work('w1', I3, 0.125, 250),
      merge('w1', I1, 'accepted'), merge('w2', I2, 'rejected'), merge('w1', I3, 'conflict'),
      item(I3, 2), work('w2', I3, 0.0625, 100, 2), merge('w2', I3, 'superseded', 2),
      item(I4), work('w2', I4, 0, 10), merge('w2', I4, 'dropped'),
    ));
    expect(f).toEqual({
      workers: [
        { id: 'w1', items: 2, merged: 1, rejected: 0, conflicts: 1, costUsd: 0.625, busyMs: 1250 },
        { id: 'w2', items: 3, merged: 0, rejected: 1, conflicts: 0, costUsd: 0.3125, busyMs: 610 },
      ],
      // Superseded counts for the queue, not against a worker; dropped counts nowhere.
      merges: { accepted: 1, rejected: 1, conflicts: 1, superseded: 1 },
    });
  });

  it('counts a worker elsewhere that only the merge queue heard of', () => {
    const f = parallelFigures(log(start, item(I1), merge('host-b-w1', I1, 'accepted')));
    expect(f?.workers).toEqual([{ id: 'host-b-w1', items: 0, merged: 1, rejected: 0, conflicts: 0, costUsd: 0, busyMs: 0 }]);
  });

  it('gives no worker an item dropped because its coordinator restarted', () => {
    const f = parallelFigures(log(start, item(I1), merge('', I1, 'dropped'), item(I2), work('w1', I2, 0.5, 100), merge('w1', I2, 'accepted')));
    expect(f?.workers.map((w) => w.id)).toEqual(['w1']);
    expect(f?.merges).toEqual({ accepted: 1, rejected: 0, conflicts: 0, superseded: 0 });
  });

  it('is a parallel run from its first item, before any worker reports', () => {
    expect(parallelFigures(log(start, item(I1)))).toEqual({ workers: [], merges: { accepted: 0, rejected: 0, conflicts: 0, superseded: 0 } });
  });

  it('is null for a single agent\'s log', () => {
    expect(parallelFigures(log(
      start,
      { type: 'iteration-start', iteration: 1, phase: 'ops', message: 'm', fresh: true },
      { type: 'test-run', iteration: 1, phase: 'ops', pass: 1, total: 2, passingIds: ['a'], summary: {} },
      { type: 'commit', iteration: 1, rev: 'c'.repeat(40), message: 'porter: ops 1/2' },
      { type: 'stop', reason: 'stall', detail: 'stalled' },
    ))).toBeNull();
  });
});

describe('openItemStatus', () => {
  function writeLog(file: string, events: SessionEvent[], minute = 0): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, logAt(minute, ...events).map((e) => `${JSON.stringify(e)}\n`).join(''));
  }
  const workerStart: SessionEvent = { type: 'run-start', run: 'r/x', config: 'c', argv: ['worker'] };
  const workerStop: SessionEvent = { type: 'stop', reason: 'all-pass', detail: 'done' };

  it('is null for a log that offered no item', () => {
    expect(openItemStatus(log(start), path.join(tmp.dir, 'r.jsonl'))).toBeNull();
  });

  it('lists the items not settled, with the worker of this machine on each and since when', () => {
    const sessionFile = path.join(tmp.dir, '.porter', 'sessions', '20260101-000000.jsonl');
    const dir = workerSessionsDir(sessionFile);
    expect(dir).toBe(path.join(tmp.dir, '.porter', 'sessions', '20260101-000000'));
    // w1 works on I2; the worker on I3 finished (its result waits for the merge queue); I1 was merged.
    writeLog(path.join(dir, `w1-${I2}-1-1.jsonl`), [workerStart]);
    writeLog(path.join(dir, `w2-${I3}-1-1.jsonl`), [workerStart, workerStop]);
    writeLog(path.join(dir, `w3-${I1}-1-1.jsonl`), [workerStart]);
    // A worker whose id has dashes of its own (host-w2), on I4's second attempt; an empty log says nothing.
    writeLog(path.join(dir, `host-a-w2-${I4}-2-1.jsonl`), [workerStart]);
    writeLog(path.join(dir, `w9-${I3}-1-2.jsonl`), []);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a session');

    const entries = log(start, item(I1), item(I2, 1, ['a', 'b', 'c']), item(I3), item(I4), merge('w3', I1, 'accepted'), merge('w4', I4, 'conflict'), item(I4, 2));
    const out = openItemStatus(entries, sessionFile);
    const since = log(workerStart)[0]!.ts;
    expect(out).toEqual([
      { id: I2, attempt: 1, phase: 'ops', label: `label ${I2}`, cases: 3, worker: 'w1', since },
      { id: I3, attempt: 1, phase: 'ops', label: `label ${I3}`, cases: 2 },
      { id: I4, attempt: 2, phase: 'ops', label: `label ${I4}`, cases: 2, worker: 'host-a-w2', since },
    ]);
  });

  it('names the worker of the latest claim of an item, not one that held it before and died', () => {
    const sessionFile = path.join(tmp.dir, '.porter', 'sessions', 'run.jsonl');
    const dir = workerSessionsDir(sessionFile);
    // host-w2 died on its claim (no stop in its log); host-w1 took the item over.
    writeLog(path.join(dir, `host-w2-${I1}-1-1.jsonl`), [workerStart], 1);
    writeLog(path.join(dir, `host-w1-${I1}-1-2.jsonl`), [workerStart], 2);
    // The same worker on its ninth and tenth claim of I2: claims count, not file names.
    writeLog(path.join(dir, `host-w1-${I2}-1-9.jsonl`), [workerStart], 3);
    writeLog(path.join(dir, `host-w1-${I2}-1-10.jsonl`), [workerStart], 4);
    // I3's latest claim ended: nobody is on it, whatever an earlier claim's log says.
    writeLog(path.join(dir, `host-w1-${I3}-1-1.jsonl`), [workerStart], 5);
    writeLog(path.join(dir, `host-w2-${I3}-1-2.jsonl`), [workerStart, workerStop], 6);

    const out = openItemStatus(log(start, item(I1), item(I2), item(I3)), sessionFile)!;
    expect(out.map((i) => [i.id, i.worker ?? null, i.since ?? null])).toEqual([
      [I1, 'host-w1', logAt(2, workerStart)[0]!.ts],
      [I2, 'host-w1', logAt(4, workerStart)[0]!.ts],
      [I3, null, null],
    ]);
  });
});
