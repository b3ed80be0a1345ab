import { describe, expect, it } from 'vitest';
import { createProgress } from '../../harness/cli/progress.js';
import type { CaseResult } from '../../harness/run/types.js';
import type { CaseStatus } from '../../harness/judge/case-status.js';

const result = (status: CaseStatus): CaseResult => ({ id: 'x', phase: 'p', status, rawStatus: 'pass', durationMs: 0, snapshotPath: '' });

describe('progress', () => {
  it('on a terminal rewrites one line, at most every 80 ms, always drawing the last case, then clears it', () => {
    const out: string[] = [];
    let t = 0;
    const p = createProgress({ write: (s) => out.push(s), live: true, now: () => t });
    p.onCase(result('pass'), 1, 3);
    t = 10;
    p.onCase(result('fail'), 2, 3);
    t = 20;
    p.onCase(result('unexpected-pass'), 3, 3);
    p.finish();
    expect(out).toEqual(['\r\x1b[2K1/3, 1 passed, 0 failed', '\r\x1b[2K3/3, 1 passed, 1 failed, 1 unexpected pass', '\r\x1b[2K']);
  });

  it('in a log prints a plain line at each tenth of a long run, and nothing for a short one', () => {
    const long: string[] = [];
    const p = createProgress({ write: (s) => long.push(s), live: false });
    for (let i = 1; i <= 400; i++) p.onCase(result(i % 4 === 0 ? 'skip' : 'pass'), i, 400);
    p.finish();
    expect(long).toHaveLength(9);
    expect(long[0]).toBe('progress: 40/400, 30 passed, 0 failed, 10 skipped\n');
    expect(long.every((l) => !l.includes('\r'))).toBe(true);

    const short: string[] = [];
    const q = createProgress({ write: (s) => short.push(s), live: false });
    for (let i = 1; i <= 20; i++) q.onCase(result('pass'), i, 20);
    q.finish();
    expect(short).toEqual([]);
  });
});
