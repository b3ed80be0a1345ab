import type { CaseResult } from '../run/types.js';
import type { CaseStatus } from '../judge/case-status.js';

export interface Progress {
  onCase(result: CaseResult, done: number, total: number): void;
  finish(): void;
}

/**
 * Live progress: one rewritten line on a terminal; on a pipe or in CI, a plain line
 * at every tenth of the run so logs stay short but show that a long run is moving.
 */
export function createProgress(opts: { write: (t: string) => void; live: boolean; now?: () => number }): Progress {
  const now = opts.now ?? (() => Date.now());
  const counts: Record<CaseStatus, number> = { pass: 0, fail: 0, skip: 0, 'unexpected-pass': 0, timeout: 0, crash: 0, error: 0 };
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastTenth = 0;
  let drawn = false;

  const line = (done: number, total: number) => {
    const bad = counts.fail + counts.timeout + counts.crash + counts.error;
    const parts = [`${done}/${total}`, `${counts.pass} passed`, `${bad} failed`];
    if (counts.skip) parts.push(`${counts.skip} skipped`);
    const xpass = counts['unexpected-pass'];
    if (xpass) parts.push(`${xpass} unexpected pass${xpass === 1 ? '' : 'es'}`);
    return parts.join(', ');
  };

  return {
    onCase(result, done, total) {
      counts[result.status]++;
      if (opts.live) {
        const t = now();
        if (t - lastDraw < 80 && done < total) return;
        lastDraw = t;
        opts.write(`\r\x1b[2K${line(done, total)}`);
        drawn = true;
      } else if (total >= 200) {
        const tenth = Math.floor((done * 10) / total);
        if (tenth > lastTenth && done < total) {
          lastTenth = tenth;
          opts.write(`progress: ${line(done, total)}\n`);
        }
      }
    },
    finish() {
      if (drawn) opts.write('\r\x1b[2K');
    },
  };
}
