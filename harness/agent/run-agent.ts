import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { runSuite as realRunSuite } from '../run/run-suite.js';
import type { PhaseSummary } from '../judge/case-status.js';
import { loadSuite } from '../suite/load-suite.js';
import { readAgentConfig, type AgentConfig, type AgentLimits } from './agent-config.js';
import { backendSpec } from './backends.js';
import { createBudget, totalsFromEntries } from './budget.js';
import { acquireLock } from './lock.js';
import { replay } from './loop-state.js';
import { runLoop } from './loop.js';
import { unpriced } from './pricing.js';
import { harnessGuard, NOTES_FILE } from './protected-paths.js';
import { sessionPath, sessionsDir } from './porter-dir.js';
import { latestSession, newRunId, openSession, readSession } from './session-log.js';
import { agentReport, publishAgentReport } from './agent-report.js';
import { computeStats, type RunStats } from './stats.js';
import type { AgentBackend, SessionEntry } from './types.js';
import type { StopReason } from '../reports/usage.js';
import { knownCases, type SuiteRunner, type SuiteVerdict } from './verdict.js';
import { driftSection, recordUpstreamOnGreen, startSync } from './upstream.js';
import type { Drift } from '../sync/types.js';
import { UPSTREAM_FILE, upstreamFile } from '../sync/upstream-file.js';
import { isFailing } from '../judge/case-status.js';
import { gitWorkspaceOps, type WorkspaceOps } from './workspace-ops.js';
import type { LoopResult } from './loop.js';
import { replayCoordinator } from './parallel/coordinator-state.js';
import { parallelFigures } from './parallel/parallel-figures.js';
import { EMBEDDED } from './parallel/queue/open-queue.js';
import { runParallel } from './parallel/run-parallel.js';
import { redactUrls } from '../util/redact-urls.js';
import { relativeInside } from '../util/path-inside.js';
import type { MergeCounts, WorkerFigures } from '../reports/history-types.js';

/**
 * `porter agent` as a function: load and check everything, take the lock, open (or reopen)
 * the session, run the loop, and always release the lock — returning the final status and
 * the stats, or one clear message for a config or usage problem.
 */

export interface AgentRunOptions {
  configPath: string;
  /** Continue the workspace's latest session (true) or the named run. */
  resume?: boolean | string;
  allowDirty?: boolean;
  note?: string;
  phase?: string;
  /** Port the drift since porter.upstream.json's revision first (`--sync`). */
  sync?: boolean;
  model?: string;
  stall?: number;
  limits?: AgentLimits;
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  progress?: (line: string) => void;
  warn?: (line: string) => void;
  /** Workers on this machine (default 1: one agent, no coordinator). */
  agents?: number;
  /** A parallel run's work queue: `embedded` (default with --agents) or a PostgreSQL URL. */
  queue?: string;
  /** A parallel run's lease: how long a worker that stops heartbeating keeps its item. */
  leaseMs?: number;
  /** Tests inject a scripted backend and a suite runner; production uses the configured ones. */
  createBackend?: (agent: AgentConfig) => AgentBackend;
  runSuite?: SuiteRunner;
  /** Tests inject a workspace history they can inspect; production uses git. */
  workspaceOps?: WorkspaceOps;
  clock?: () => Date;
  /** Append the run to reports/ (default true). */
  report?: boolean;
}

export interface AgentRunSuccess {
  ok: true;
  status: StopReason;
  detail: string;
  run: string;
  sessionFile: string;
  phases: PhaseSummary[];
  failing: string[];
  summaries: Array<{ phase: string; summary: string }>;
  stats: RunStats;
  /** A parallel run's workers and merge queue. */
  workers?: WorkerFigures[];
  merges?: MergeCounts;
}

export type AgentRunResult = AgentRunSuccess | { ok: false; message: string };

/** Flags override the config where both exist. */
function applyFlags(agent: AgentConfig, o: AgentRunOptions): string | null {
  if (o.model) agent.model = o.model;
  if (o.stall !== undefined) agent.stall = o.stall;
  agent.limits = { ...agent.limits, ...o.limits };
  if (backendSpec(agent.backend).prices) {
    const models = [agent.model, ...Object.values(agent.phases).map((p) => p.model).filter((m): m is string => !!m)];
    return unpriced(agent.prices, models);
  }
  return null;
}

function pickSession(ws: string, resume: boolean | string): { ok: true; file: string; runId: string } | { ok: false; message: string } {
  const file = typeof resume === 'string' ? sessionPath(ws, resume) : latestSession(ws);
  if (!file || !fs.existsSync(file)) {
    const which = typeof resume === 'string' ? `run ${resume}` : 'a session';
    return { ok: false, message: `nothing to resume: there is no ${which} in ${sessionsDir(ws)}; start without --resume` };
  }
  return { ok: true, file, runId: path.basename(file, '.jsonl') };
}

export async function runAgent(o: AgentRunOptions): Promise<AgentRunResult> {
  const env = o.env ?? process.env;
  const clock = o.clock ?? (() => new Date());
  const workspaceOps = o.workspaceOps ?? gitWorkspaceOps;
  const { commitAll, dirtyPaths, ensureRepo, excludePaths, headRev } = workspaceOps;
  const loaded = await loadConfig(o.configPath);
  if (!loaded.ok) return loaded;
  for (const w of loaded.warnings) o.warn?.(w);
  const config = loaded.config;
  const read = readAgentConfig(config);
  if (!read.ok) return read;
  const agent = read.agent;
  const priced = applyFlags(agent, o);
  if (priced) return { ok: false, message: priced };
  const parallel = (o.agents ?? 1) > 1 || o.queue !== undefined;
  if (parallel && o.phase !== undefined) return { ok: false, message: '--phase works with one agent: a parallel run keeps the phase order itself' };
  if (parallel && o.sync) return { ok: false, message: '--sync works with one agent for now: port the drift with one agent, then run in parallel' };
  if (o.phase !== undefined && !config.phases.some((p) => p.name === o.phase)) {
    return { ok: false, message: `--phase ${o.phase}: there is no such phase (phases: ${config.phases.map((p) => p.name).join(', ')})` };
  }
  const credentials = o.createBackend ? null : backendSpec(agent.backend).credentialProblem(env);
  if (credentials) return { ok: false, message: credentials };
  const ws = agent.workspace;
  if (!fs.existsSync(ws) || !fs.statSync(ws).isDirectory()) {
    return { ok: false, message: `the workspace ${ws} does not exist (agent.workspace in ${config.configPath}): create it or fix the path` };
  }
  const suite = await loadSuite(config);
  if (!suite.ok) return suite;
  let drift: Drift | null = null;
  if (o.sync) {
    const started = await startSync(config);
    if (!started.ok) return started;
    drift = started.drift;
    for (const line of started.lines) o.progress?.(line);
  }
  const tracksUpstream = drift !== null || fs.existsSync(upstreamFile(ws));
  const { known, inputs } = knownCases(suite.suite.cases);

  let sessionFile: string | null = null;
  let runId = newRunId(clock());
  // A bare --resume with nothing to resume starts a run, so one cron line serves every night.
  let resuming = Boolean(o.resume);
  if (o.resume) {
    const picked = pickSession(ws, o.resume);
    if (picked.ok) {
      runId = picked.runId;
      sessionFile = picked.file;
    } else if (o.resume === true) {
      o.warn?.('no earlier run to resume in this workspace: starting a new one');
      resuming = false;
    } else {
      return picked;
    }
  }
  const lock = acquireLock(ws, { runId, clock });
  if (!lock.ok) return { ok: false, message: lock.message };
  if (lock.reclaimed) o.warn?.(`took over the lock of a run that is gone (pid ${lock.reclaimed.pid}, started ${lock.reclaimed.startedAt})`);

  let session: ReturnType<typeof openSession> | null = null;
  try {
    // Read only under the lock: a live run may still be writing it.
    let prior: SessionEntry[] = [];
    if (sessionFile) {
      const r = readSession(sessionFile);
      for (const w of r.warnings) o.warn?.(w);
      prior = r.entries;
    }
    const kind = sessionKind(prior);
    if (kind !== null && kind.parallel !== parallel) {
      return { ok: false, message: kind.parallel
        ? `run ${runId} is a parallel run: resume it as it ran, ${kind.flags ? `porter agent --resume ${kind.flags}` : 'with --agents N or --queue URL'}`
        : `run ${runId} ran with one agent: resume it without --agents and --queue, or start a new parallel run without --resume` };
    }
    await ensureRepo(ws);
    await excludePaths(ws, [NOTES_FILE, ...reportsInside(ws, config.reports.dir)]);
    if (!resuming) {
      const dirty = await dirtyPaths(ws);
      if (dirty.length > 0 && !o.allowDirty) {
        return { ok: false, message: `the workspace ${ws} has uncommitted changes (${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', …' : ''}); commit or stash them, or pass --allow-dirty` };
      }
      // Kept as a commit of their own, so a reset to green can never lose them.
      if (dirty.length > 0) await commitAll(ws, 'porter: uncommitted changes present when the agent started');
    }
    session = openSession(ws, runId, { clock, env });
    const lastSeq = session.lastSeq;
    session.append({
      // A --queue URL may carry the database's password; the log never does.
      type: 'run-start', run: runId, config: config.configPath, argv: (o.argv ?? []).map(redactUrls), rev: (await headRev(ws))!,
      ...(resuming ? { resumedFrom: lastSeq } : {}),
    });
    const entries = readSession(session.file).entries;
    const settings = { resetAfter: agent.resetAfter };
    const state = replay(entries, settings);
    const budget = createBudget({
      prices: agent.prices, ...agent.limits, startedAt: clock(), clock,
      initial: totalsFromEntries(prior), priorMs: computeStats(prior).wallMs,
    });
    const createBackend = o.createBackend ? async (a: AgentConfig) => o.createBackend!(a) : (a: AgentConfig) => backendSpec(a.backend).create(a, env, o.warn);
    let result: LoopResult;
    if (parallel) {
      const run = await runParallel({
        config, agent, session, state: replayCoordinator(entries), budget, known, inputs, runSuite: o.runSuite ?? realRunSuite, workspaceOps, createBackend,
        agents: o.queue !== undefined && o.agents === undefined ? 0 : (o.agents ?? 1),
        queue: o.queue ?? EMBEDDED,
        ...(agent.limits.maxIterations !== undefined ? { maxIterations: agent.limits.maxIterations } : {}),
        ...(o.leaseMs !== undefined ? { leaseMs: o.leaseMs } : {}),
        ...(o.note ? { note: o.note } : {}),
        env, clock,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.progress ? { progress: o.progress } : {}),
      });
      if (!run.ok) {
        session.append({ type: 'stop', reason: 'error', detail: run.message });
        return { ok: false, message: run.message };
      }
      result = run.result;
    } else {
      const backend = await createBackend(agent);
      if (resuming) backend.restore?.(entries);
      const { guard, entries: protectedList } = harnessGuard(config, agent, inputs);
      result = await runLoop({
        config, agent, backend, guard, session, budget, runSuite: o.runSuite ?? realRunSuite, workspaceOps, known, state,
        protectedEntries: protectedList,
        ...(o.phase ? { startPhase: o.phase } : {}),
        ...(o.note ? { flagNote: o.note } : {}),
        ...(agent.limits.maxIterations !== undefined ? { maxIterations: agent.limits.maxIterations } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.progress ? { progress: o.progress } : {}),
        ...(drift ? { taskSection: (phase: string, v: SuiteVerdict) => driftSection(drift, phase, v) } : {}),
      });
    }
    if (result.reason === 'all-pass' && tracksUpstream) {
      const recorded = await recordUpstreamOnGreen(config, ws, known.length);
      if (recorded.recorded) o.progress?.(`every case passes at source ${recorded.short}: recorded in ${UPSTREAM_FILE}`);
      else o.warn?.(`${UPSTREAM_FILE} not updated: ${recorded.why}`);
    }
    session.close();
    const final = readSession(session.file).entries;
    const stats = computeStats(final);
    const figures = parallelFigures(final);
    if (o.report !== false) {
      const segmentStart = [...final].reverse().find((e) => e.type === 'run-start')?.ts ?? clock().toISOString();
      const report = agentReport({ verdict: result.verdict, stats, entries: final, stop: result, backend: agent.backend, startedAt: segmentStart });
      if (figures) Object.assign(report.agent, figures);
      await publishAgentReport(config, ws, report, env, (w) => o.warn?.(w));
    }
    return {
      ok: true, status: result.reason, detail: result.detail, run: runId, sessionFile: session.file,
      phases: result.verdict.phases, failing: result.verdict.cases.filter((c) => isFailing(c.status)).map((c) => c.id),
      summaries: replay(final, settings).summaries, stats,
      ...(figures ?? {}),
    };
  } catch (e) {
    // A bug or an I/O failure (git, disk): the run stops, and says so in its log.
    const message = `porter agent stopped on an unexpected error: ${(e as Error).stack ?? String(e)}`;
    try {
      session?.append({ type: 'stop', reason: 'error', detail: (e as Error).message ?? String(e) });
    } catch {
      // The log itself is what failed.
    }
    throw new Error(message);
  } finally {
    session?.close();
    lock.lock.release();
  }
}

/** Whether a logged run is a parallel one, and the flags it ran with that made it so; null for no run. */
function sessionKind(entries: readonly SessionEntry[]): { parallel: boolean; flags: string } | null {
  const start = entries.find((e): e is Extract<SessionEntry, { type: 'run-start' }> => e.type === 'run-start');
  if (!start) return null;
  const flags: string[] = [];
  for (const name of ['--agents', '--queue']) {
    const at = start.argv.indexOf(name);
    if (at >= 0 && start.argv[at + 1] !== undefined) flags.push(name, name === '--queue' ? redactUrls(start.argv[at + 1]!) : start.argv[at + 1]!);
  }
  const agents = flags.indexOf('--agents');
  const parallel = entries.some((e) => e.type === 'item') || flags.includes('--queue') || (agents >= 0 && Number(flags[agents + 1]) > 1);
  return { parallel, flags: flags.join(' ') };
}

/**
 * A reports folder inside the workspace is kept out of git's view: otherwise the report of
 * one run makes the workspace dirty for the next, and a reset to green cleans the history away.
 */
function reportsInside(ws: string, reportsDir: string): string[] {
  const rel = relativeInside(ws, reportsDir);
  return rel === null || rel === '' ? [] : [`${rel.split(path.sep).join('/')}/`];
}
