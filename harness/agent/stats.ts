import type { SessionEntry } from './types.js';
import { blocksFromLog, toolCallsOf } from './turn/messages.js';
import { addUsage, ZERO_USAGE, type StopReason, type Usage } from '../reports/usage.js';

/**
 * The figures of the MiniJinja write-up — wall time, messages, human prompts, tool calls,
 * tokens by kind, cost, models — per phase and in total, computed from the session log
 * alone, so `porter status` can show them for a running run and `--resume` carries them on.
 *
 * Wall time counts working time only: the gap between a crash and the `--resume` that
 * follows it is not part of the run.
 */

export interface Figures {
  wallMs: number;
  /** User messages (tasks, tool results) and assistant messages (responses). */
  messages: number;
  /** What a person said: the task that started each run segment, and every note. */
  humanPrompts: number;
  toolCalls: number;
  requests: number;
  usage: Usage;
  costUsd: number;
  models: string[];
  /** Work iterations; the requests for phase summaries are counted apart. */
  iterations: number;
  summaries: number;
}

export interface PhaseFigures extends Figures {
  phase: string;
  /** The last test run of this phase: passing and total cases. */
  pass: number | null;
  total: number | null;
  summary: boolean;
}

export interface RunStats extends Figures {
  run: string | null;
  startedAt: string | null;
  lastEntryAt: string | null;
  /** Run segments: the first start and each `--resume`. */
  segments: number;
  commits: number;
  resets: number;
  tampers: number;
  skips: number;
  compactions: number;
  apiRetries: number;
  testRuns: number;
  phases: PhaseFigures[];
  /** The stop of the latest segment, or null while it runs (or when it died without one). */
  stop: { reason: StopReason; detail: string } | null;
  lastTest: { phase: string; pass: number; total: number } | null;
}

function emptyFigures(): Figures {
  return { wallMs: 0, messages: 0, humanPrompts: 0, toolCalls: 0, requests: 0, usage: { ...ZERO_USAGE }, costUsd: 0, models: [], iterations: 0, summaries: 0 };
}

const ms = (ts: string): number => Date.parse(ts);

export interface StatsOptions {
  /** When given and the latest segment has no stop yet, time up to `now` counts as working time. */
  now?: Date;
}

export function computeStats(entries: SessionEntry[], opts: StatsOptions = {}): RunStats {
  const total = emptyFigures();
  const stats: RunStats = {
    ...total,
    run: null, startedAt: null, lastEntryAt: null, segments: 0,
    commits: 0, resets: 0, tampers: 0, skips: 0, compactions: 0, apiRetries: 0, testRuns: 0,
    phases: [], stop: null, lastTest: null,
  };
  const phases = new Map<string, PhaseFigures>();
  const phaseOf = (name: string): PhaseFigures => {
    let p = phases.get(name);
    if (!p) {
      p = { ...emptyFigures(), phase: name, pass: null, total: null, summary: false };
      phases.set(name, p);
    }
    return p;
  };
  const iterationsSeen = new Set<number>();
  let workerIterations = 0;
  const phaseWorkerIterations = new Map<string, number>();
  const phaseIterations = new Map<string, Set<number>>();
  const models = new Set<string>();
  const phaseModels = new Map<string, Set<string>>();
  let current: PhaseFigures | null = null;
  let prevTs: number | null = null;

  // Figures go to the run total and to the phase being worked on.
  const bump = (f: (x: Figures) => void) => {
    f(stats);
    if (current) f(current);
  };

  for (const e of entries) {
    const t = ms(e.ts);
    if (e.type === 'run-start') {
      stats.segments += 1;
      stats.humanPrompts += 1;
      stats.run ??= e.run;
      stats.startedAt ??= e.ts;
      stats.stop = null;
      current = null;
      prevTs = t;
      continue;
    }
    if (prevTs !== null && Number.isFinite(t)) {
      const dt = Math.max(0, t - prevTs);
      bump((x) => (x.wallMs += dt));
    }
    if (Number.isFinite(t)) prevTs = t;
    stats.lastEntryAt = e.ts;
    switch (e.type) {
      case 'iteration-start': {
        current = phaseOf(e.phase);
        bump((x) => (x.messages += 1));
        if (e.kind === 'summary') {
          bump((x) => (x.summaries += 1));
          break;
        }
        iterationsSeen.add(e.iteration);
        let set = phaseIterations.get(e.phase);
        if (!set) phaseIterations.set(e.phase, (set = new Set()));
        set.add(e.iteration);
        break;
      }
      case 'note':
        bump((x) => (x.humanPrompts += 1));
        break;
      case 'response': {
        const calls = toolCallsOf({ role: 'assistant', content: blocksFromLog(e.content) }).length;
        // The response, and the user turn that carries its tool results back.
        bump((x) => {
          x.messages += calls > 0 ? 2 : 1;
          x.requests += 1;
          x.usage = addUsage(x.usage, e.usage);
          x.costUsd += e.costUsd;
        });
        models.add(e.model);
        if (current) {
          let set = phaseModels.get(current.phase);
          if (!set) phaseModels.set(current.phase, (set = new Set()));
          set.add(e.model);
        }
        break;
      }
      case 'tool-call':
        bump((x) => (x.toolCalls += 1));
        break;
      case 'test-run': {
        stats.testRuns += 1;
        stats.lastTest = { phase: e.phase, pass: e.pass, total: e.total };
        const p = phaseOf(e.phase);
        p.pass = e.pass;
        p.total = e.total;
        break;
      }
      case 'commit':
        stats.commits += 1;
        break;
      case 'reset':
        stats.resets += 1;
        break;
      case 'tamper':
        stats.tampers += 1;
        break;
      case 'skip-case':
        stats.skips += 1;
        break;
      case 'compaction':
        stats.compactions += 1;
        // The summary is a request of its own, paid for like any other.
        if (e.usage) {
          const usage = e.usage;
          bump((x) => {
            x.requests += 1;
            x.usage = addUsage(x.usage, usage);
            x.costUsd += e.costUsd ?? 0;
          });
        }
        break;
      case 'work': {
        // A parallel worker's spend, counted for the item's phase.
        const was: PhaseFigures | null = current;
        current = phaseOf(e.phase);
        bump((x) => {
          x.messages += e.messages;
          x.toolCalls += e.toolCalls;
          x.requests += e.requests;
          x.usage = addUsage(x.usage, e.usage);
          x.costUsd += e.costUsd;
        });
        workerIterations += e.iterations;
        phaseWorkerIterations.set(e.phase, (phaseWorkerIterations.get(e.phase) ?? 0) + e.iterations);
        for (const m of e.models) {
          models.add(m);
          let set = phaseModels.get(e.phase);
          if (!set) phaseModels.set(e.phase, (set = new Set()));
          set.add(m);
        }
        current = was;
        break;
      }
      case 'item':
        // A parallel run's time goes to the phase its items are cut from.
        current = phaseOf(e.phase);
        break;
      case 'merge':
        if (e.status === 'accepted') stats.commits += 1;
        break;
      case 'api-retry':
        stats.apiRetries += 1;
        break;
      case 'phase-summary':
        phaseOf(e.phase).summary = true;
        break;
      case 'stop':
        stats.stop = { reason: e.reason, detail: e.detail };
        break;
      default:
        break;
    }
  }
  if (opts.now && stats.stop === null && prevTs !== null) {
    const dt = Math.max(0, opts.now.getTime() - prevTs);
    bump((x) => (x.wallMs += dt));
  }
  stats.iterations = iterationsSeen.size + workerIterations;
  stats.models = [...models];
  stats.phases = [...phases.values()].map((p) => ({
    ...p,
    iterations: (phaseIterations.get(p.phase)?.size ?? 0) + (phaseWorkerIterations.get(p.phase) ?? 0),
    models: [...(phaseModels.get(p.phase) ?? [])],
  }));
  return stats;
}
