import path from 'node:path';
import type { PorterConfig } from '../config/types.js';
import type { Case, SnapshotHeader, Suite } from '../suite/types.js';
import type { TargetOutcome, TargetRequest, TargetRunner } from '../target/types.js';
import type { CaseResult, RunResult } from './types.js';
import { loadSuite } from '../suite/load-suite.js';
import { loadSkipList } from '../skiplist/skiplist.js';
import { loadOverrides } from '../judge/overrides.js';
import { judgeCase } from '../judge/judge.js';
import { createStdioPool } from '../target/stdio-pool.js';
import { createExecRunner } from '../target/exec-runner.js';
import { caseMatcher } from '../util/case-glob.js';
import { classifyCase } from './classify.js';
import { createCasePolicy } from './case-policy.js';
import { summarizePhases } from '../judge/case-status.js';

export interface RunOptions {
  /** Only these phases (all when empty or absent). */
  phases?: string[];
  /** Only cases whose id matches this glob. */
  filter?: string;
  /** Overrides `target.workers`. */
  workers?: number;
  /**
   * The suite to run, already read (by `porter sync --accept`, from a git revision of the
   * source); read from `config.source` on disk when absent.
   */
  suite?: Suite;
  /** Called as each case finishes, in completion order. */
  onCase?: (result: CaseResult, done: number, total: number) => void;
  /** Supplies the target runner; tests and benchmarks inject their own. */
  createRunner?: (config: PorterConfig, workers: number) => TargetRunner;
  /** Injected clock for deterministic durations in tests. */
  now?: () => number;
}

export type RunOutcome = { ok: true; result: RunResult } | { ok: false; message: string };

/**
 * Runs the target against every selected case and judges it. Faults of single cases
 * are results; only a problem that makes the whole run meaningless (the suite cannot be
 * read, the target cannot start) is `{ ok: false }`.
 */
export async function runSuite(config: PorterConfig, options: RunOptions = {}): Promise<RunOutcome> {
  const now = options.now ?? (() => performance.now());
  const startedAt = new Date().toISOString();
  const t0 = now();

  const unknownPhase = options.phases?.find((p) => !config.phases.some((q) => q.name === p));
  if (unknownPhase !== undefined) {
    return { ok: false, message: `unknown phase "${unknownPhase}" (phases in ${config.configPath}: ${config.phases.map((p) => p.name).join(', ')})` };
  }

  // The target starts while the suite loads: a worker's start-up check costs wall time, not work.
  const workers = Math.max(1, options.workers ?? config.target.workers);
  const runner = (options.createRunner ?? defaultRunner)(config, workers);
  const starting = runner.start();
  try {
    return await runStarted(config, options, runner, starting, now, startedAt, t0);
  } finally {
    // Closing mid-start would race the start-up check; let it settle first.
    await starting;
    await runner.close();
  }
}

async function runStarted(
  config: PorterConfig,
  options: RunOptions,
  runner: TargetRunner,
  starting: ReturnType<TargetRunner['start']>,
  now: () => number,
  startedAt: string,
  t0: number,
): Promise<RunOutcome> {
  const loaded = options.suite ? { ok: true as const, suite: options.suite } : await loadSuite(config);
  if (!loaded.ok) return loaded;
  const suite = loaded.suite;
  const phaseNames = config.phases.map((p) => p.name);

  const skips = await loadSkipList(config.skiplist, phaseNames);
  if (!skips.ok) return skips;
  const overrides = await loadOverrides(config.overrides);
  if (!overrides.ok) return overrides;

  const wantedPhases = new Set(options.phases?.length ? options.phases : phaseNames);
  const filter = options.filter ? caseMatcher(options.filter) : () => true;
  const selected = suite.cases.filter((c) => wantedPhases.has(c.phase) && filter(c.id));
  if (options.filter && selected.length === 0) {
    return { ok: false, message: `--filter "${options.filter}" matches no case${options.phases?.length ? ` in phase ${options.phases.join(', ')}` : ''}; run \`porter list\` to see case ids` };
  }

  const warnings = [...suite.warnings, ...skips.warnings, ...overrides.warnings];
  const phaseById = new Map(suite.cases.map((c) => [c.id, c.phase]));
  const policy = createCasePolicy(config);
  for (const c of suite.cases) {
    if (policy.isProtected(c.id) && skips.list.match(c.id, c.phase)) {
      warnings.push(`${c.id} is protected: its skip-list entry is ignored`);
    }
  }

  const started = await starting;
  if (!started.ok && selected.some((c) => c.problem === undefined)) return { ok: false, message: started.message };

  const results: CaseResult[] = new Array(selected.length);
  let done = 0;
  await Promise.all(
    selected.map(async (testCase, index) => {
      const outcome = testCase.problem === undefined ? await runner.run(toRequest(testCase, suite.files[testCase.phase] ?? {})) : null;
      const result = judgeOne(testCase, outcome);
      results[index] = result;
      done++;
      options.onCase?.(result, done, selected.length);
    }),
  );

  function judgeOne(testCase: Case, outcome: TargetOutcome | null): CaseResult {
    const isProtected = policy.isProtected(testCase.id);
    const skipEntry = skips.ok ? skips.list.match(testCase.id, testCase.phase) : null;
    const override = isProtected ? undefined : overrides.ok ? overrides.overrides.get(testCase.id) : undefined;
    const verdict =
      outcome?.status === 'output'
        ? judgeCase({
            expected: testCase.snapshot.body,
            actual: outcome.output,
            ...(outcome.error ? { actualError: outcome.error } : {}),
            level: policy.levelFor(testCase.id, testCase.phase),
            markers: config.compare.errorMarkers,
            similarity: config.compare.similarity,
            normalize: config.compare.normalize,
            protectedCase: isProtected,
            ...(override ? { override: { body: override.body, reason: override.reason } } : {}),
          })
        : null;
    return classifyCase({
      testCase,
      outcome,
      verdict,
      skip: skipEntry ? { reason: skipEntry.reason } : null,
      protectedCase: isProtected,
      ...(override ? { overrideReason: override.reason } : {}),
    });
  }

  return {
    ok: true,
    result: {
      version: 1,
      startedAt,
      durationMs: now() - t0,
      phases: summarizePhases(phaseNames.filter((p) => wantedPhases.has(p)), results),
      cases: results,
      staleSkips: skips.list.stale(
        suite.cases.map((c) => c.id),
        (id) => phaseById.get(id),
      ),
      warnings,
    },
  };
}

function defaultRunner(config: PorterConfig, workers: number): TargetRunner {
  const opts = {
    command: [...config.target.command],
    cwd: config.target.cwd,
    workers,
    timeoutMs: config.target.timeoutMs,
    maxOutputBytes: config.target.maxOutputBytes,
    configRef: `target.command in ${path.basename(config.configPath)}`,
  };
  return config.target.protocol === 'exec' ? createExecRunner(opts) : createStdioPool(opts);
}

/** The protocol request for a case (README "Target protocol"). */
export function toRequest(testCase: Case, files: Record<string, string>): TargetRequest {
  return {
    id: testCase.id,
    phase: testCase.phase,
    input: testCase.input
      ? { path: testCase.input.path, header: testCase.input.header, header_raw: testCase.input.headerRaw, body: testCase.input.body }
      : null,
    params: testCase.params ?? {},
    files,
    snapshot: { path: testCase.snapshot.path, header: headerObject(testCase.snapshot.header) },
  };
}

function headerObject(header: SnapshotHeader): Record<string, unknown> {
  const { extra, ...known } = header;
  return { ...extra, ...known };
}
