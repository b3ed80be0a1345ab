import type { SessionEntry } from './types.js';
import type { StopReason } from '../reports/usage.js';

/**
 * The loop's memory, derived from the session log by one reducer. The live loop appends an
 * entry and applies it; `--resume` replays the log through the same reducer, so a resumed
 * run has exactly the counters, green point and summaries that the crashed one had.
 *
 * Ratchet rules (on each test run after an iteration):
 * - more cases pass than at the last green commit and none of those fails → commit;
 * - some that passed at the green commit fail → a regression; after `resetAfter` such
 *   iterations in a row, the workspace is reset to the green commit;
 * - the passing count not above its best so far → one more stalled iteration.
 */

export interface OpenIteration {
  iteration: number;
  phase: string;
  message: string;
  fresh: boolean;
  kind: 'work' | 'summary';
}

export interface LoopState {
  /** The last iteration number used (0: none yet). */
  iteration: number;
  workIterations: number;
  /** The phase of the last work iteration. */
  phase: string | null;
  greenRev: string | null;
  greenPassing: string[] | null;
  lastPassing: string[] | null;
  /** The last test run's figures, for commit messages (also when a resume finishes its commit). */
  lastTest: { iteration: number; phase: string; pass: number; total: number; counts: string } | null;
  best: number;
  stall: number;
  /** Iterations in a row with regressions since the last commit or reset. */
  tries: number;
  regressions: string[];
  /** Why the workspace was last reset, until the next work iteration hears of it. */
  resetNote: string | null;
  /** The next work iteration starts a new conversation. */
  fresh: boolean;
  summaries: Array<{ phase: string; summary: string }>;
  notes: Array<{ text: string; from: 'flag' | 'notes.md' }>;
  /** Cases the agent parked with skip_case: re-applied after every reset. */
  skips: Array<{ id: string; reason: string; iteration: number }>;
  /** An iteration that started and has not been concluded (by a test run or a phase summary). */
  open: OpenIteration | null;
  /** A ratchet action decided by a test run and not yet logged as done. */
  pending: 'commit' | 'reset' | null;
  stopped: { reason: StopReason; detail: string } | null;
  segments: number;
}

export interface RatchetSettings {
  resetAfter: number;
}

export function initialState(): LoopState {
  return {
    iteration: 0, workIterations: 0, phase: null, greenRev: null, greenPassing: null, lastPassing: null, lastTest: null,
    best: 0, stall: 0, tries: 0, regressions: [], resetNote: null, fresh: true, summaries: [], notes: [], skips: [],
    open: null, pending: null, stopped: null, segments: 0,
  };
}

function evaluate(s: LoopState, passing: string[], settings: RatchetSettings): void {
  const green = new Set(s.greenPassing ?? []);
  const now = new Set(passing);
  s.regressions = [...green].filter((id) => !now.has(id)).sort();
  const grew = passing.some((id) => !green.has(id));
  if (passing.length > s.best) {
    s.best = passing.length;
    s.stall = 0;
  } else {
    s.stall += 1;
  }
  if (s.regressions.length === 0) {
    s.tries = 0;
    if (grew) s.pending = 'commit';
  } else {
    s.tries += 1;
    if (s.tries >= settings.resetAfter) s.pending = 'reset';
  }
}

/** Applies one logged entry to the state (mutating it) and returns it. */
export function applyEntry(s: LoopState, e: SessionEntry, settings: RatchetSettings): LoopState {
  switch (e.type) {
    case 'run-start':
      s.segments += 1;
      if (e.rev && s.greenRev === null) s.greenRev = e.rev;
      else if (e.rev && e.rev !== s.greenRev) {
        // Someone committed between segments: their commit is the new green point, never reset past.
        s.greenRev = e.rev;
        s.greenPassing = null;
      }
      // A run resumed after it stalled gets a fresh count: someone changed something.
      if (s.stopped?.reason === 'stall') s.stall = 0;
      s.stopped = null;
      break;
    case 'iteration-start': {
      const kind = e.kind ?? 'work';
      s.iteration = Math.max(s.iteration, e.iteration);
      s.open = { iteration: e.iteration, phase: e.phase, message: e.message, fresh: e.fresh, kind };
      if (kind === 'work') {
        s.workIterations += 1;
        s.phase = e.phase;
        s.fresh = false;
        s.resetNote = null;
      }
      break;
    }
    case 'test-run': {
      const baseline = e.baseline === true || s.greenPassing === null;
      if (s.greenPassing === null) {
        s.greenPassing = [...e.passingIds];
        s.best = e.passingIds.length;
      }
      if (!baseline) evaluate(s, e.passingIds, settings);
      s.lastPassing = [...e.passingIds];
      const counts = typeof e.summary.counts === 'string' ? e.summary.counts : '';
      s.lastTest = { iteration: e.iteration, phase: e.phase, pass: e.pass, total: e.total, counts };
      if (s.open?.kind === 'work') s.open = null;
      break;
    }
    case 'commit':
      s.greenRev = e.rev;
      s.greenPassing = [...(s.lastPassing ?? [])];
      s.tries = 0;
      s.regressions = [];
      s.pending = null;
      break;
    case 'reset':
      s.greenRev = e.rev;
      s.lastPassing = [...(s.greenPassing ?? [])];
      s.tries = 0;
      s.regressions = [];
      s.pending = null;
      s.fresh = true;
      s.resetNote = e.reason;
      break;
    case 'phase-summary':
      s.summaries = [...s.summaries.filter((x) => x.phase !== e.phase), { phase: e.phase, summary: e.summary }];
      s.fresh = true;
      if (s.open?.kind === 'summary') s.open = null;
      break;
    case 'note':
      s.notes.push({ text: e.text, from: e.from });
      break;
    case 'skip-case':
      s.skips.push({ id: e.id, reason: e.reason, iteration: e.iteration });
      break;
    case 'stop':
      s.stopped = { reason: e.reason, detail: e.detail };
      s.open = null;
      break;
    default:
      break;
  }
  return s;
}

export function replay(entries: readonly SessionEntry[], settings: RatchetSettings): LoopState {
  const s = initialState();
  for (const e of entries) applyEntry(s, e, settings);
  return s;
}
