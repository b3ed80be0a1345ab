import type { PorterConfig } from '../config/types.js';
import type { AgentSkip, AgentStats, AgentTotals, TamperEvent } from '../reports/history-types.js';
import type { RunResult } from '../run/types.js';
import type { Figures, RunStats } from './stats.js';
import type { SessionEntry } from './types.js';
import type { StopReason } from '../reports/usage.js';
import type { SuiteVerdict } from './verdict.js';

/**
 * What an agent run contributes to reports/: its final verdict as a run result, its stats in
 * the reports' shape, and the tamper and skip events from its session log. Pure: the caller
 * writes it (reports/write.ts), so the run's outcome never depends on its reports.
 */
export interface AgentReport {
  run: RunResult;
  agent: AgentStats;
  tamper: TamperEvent[];
  agentSkips: AgentSkip[];
}

export function agentReport(args: {
  verdict: SuiteVerdict;
  stats: RunStats;
  entries: readonly SessionEntry[];
  stop: { reason: StopReason; detail: string };
  backend: string;
  startedAt: string;
}): AgentReport {
  const { verdict, stats, entries } = args;
  const phaseOfIteration = new Map<number, string>();
  const commitsByPhase = new Map<string, number>();
  const tamper: TamperEvent[] = [];
  const agentSkips: AgentSkip[] = [];
  for (const e of entries) {
    if (e.type === 'iteration-start') phaseOfIteration.set(e.iteration, e.phase);
    else if (e.type === 'commit') {
      const phase = phaseOfIteration.get(e.iteration);
      if (phase !== undefined) commitsByPhase.set(phase, (commitsByPhase.get(phase) ?? 0) + 1);
    } else if (e.type === 'tamper') tamper.push({ path: e.path, action: e.action, detail: e.detail, iteration: e.iteration, time: e.ts });
    else if (e.type === 'skip-case') agentSkips.push({ id: e.id, reason: e.reason, iteration: e.iteration });
  }
  const agent: AgentStats = {
    ...totals(stats, stats.commits),
    backend: args.backend,
    stopReason: args.stop.reason,
    stopDetail: args.stop.detail,
    phases: stats.phases.map((p) => ({ phase: p.phase, ...totals(p, commitsByPhase.get(p.phase) ?? 0) })),
  };
  const run: RunResult = {
    version: 1,
    startedAt: args.startedAt,
    durationMs: verdict.durationMs,
    phases: verdict.phases,
    cases: verdict.cases,
    staleSkips: [],
    warnings: verdict.targetError ? [`the target did not start: ${verdict.targetError}`] : [],
  };
  return { run, agent, tamper, agentSkips };
}

function totals(f: Figures, commits: number): AgentTotals {
  return {
    wallMs: f.wallMs,
    messages: f.messages,
    humanPrompts: f.humanPrompts,
    toolCalls: f.toolCalls,
    tokens: f.usage,
    costUsd: f.costUsd,
    models: f.models,
    iterations: f.iterations,
    commits,
  };
}

/** Writes the agent run's record into the config's reports folder; trouble is a warning. */
export async function publishAgentReport(
  config: PorterConfig,
  workspace: string,
  report: AgentReport,
  env: NodeJS.ProcessEnv,
  warn: (line: string) => void,
): Promise<void> {
  try {
    const { writeReports } = await import('../reports/write.js');
    const written = await writeReports(config.reports.dir, {
      kind: 'agent',
      run: report.run,
      agent: report.agent,
      workspace,
      source: config.source,
      keepRuns: config.reports.keepRuns,
      env,
      extra: { tamper: report.tamper, agentSkips: report.agentSkips, durationMs: report.agent.wallMs },
    });
    for (const w of written.warnings) warn(w);
  } catch (err) {
    warn(`could not write reports to ${config.reports.dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
