import type { PorterConfig } from '../config/types.js';
import { updateSkipListFiles } from '../skiplist/update.js';
import { caseMatcher } from '../util/case-glob.js';
import type { AgentConfig } from './agent-config.js';
import { createToolSet } from './tools/tool-set.js';
import type { SessionEvent, ToolResult, ToolSet } from './types.js';
import { compactVerdict, runVerdict, type KnownCase, type SuiteRunner } from './verdict.js';
import type { WorkspaceGuard } from './workspace-guard.js';

/**
 * The built-in tools wired to this run: `run_tests` runs the real suite, `skip_case`
 * writes the skip-list (when the config allows it) and is logged, and a write the guard
 * refuses is logged as a tamper attempt.
 */

export interface LoopToolsOptions {
  config: PorterConfig;
  agent: AgentConfig;
  known: readonly KnownCase[];
  runSuite: SuiteRunner;
  guard: WorkspaceGuard;
  /** Appends to the session log. */
  log(event: SessionEvent): void;
  /** The iteration being worked on, for the log. */
  iteration(): number;
  /** Ids failing at the latest verdict: only those may be skipped. */
  failingIds(): ReadonlySet<string>;
  /** Told of files the harness itself wrote for the agent (the skip-list), so the tamper check keeps them. */
  harnessWrote(files: string[]): void;
}

/** The reason a skip-list entry of the agent's records. */
export function agentSkipReason(reason: string, iteration: number): string {
  return `${reason} (skipped by the agent, iteration ${iteration})`;
}

export function createLoopTools(o: LoopToolsOptions): ToolSet {
  const isProtected = caseMatcher(o.config.protected);
  const phaseOf = new Map(o.known.map((c) => [c.id, c.phase]));

  return createToolSet({
    guard: o.guard,
    // A write the guard kept from the tests is a tamper attempt, logged with the path refused.
    onRefusal(tool, refusal, result) {
      if (refusal.code !== 'protected-test') return;
      o.log({ type: 'tamper', iteration: o.iteration(), path: refusal.path, action: 'refused', detail: `${tool} refused: ${result.content}` });
    },
    bashTimeoutS: o.agent.bashTimeoutS,
    async runTests(phase, filter) {
      if (phase !== undefined && !o.config.phases.some((p) => p.name === phase)) {
        return `There is no phase "${phase}"; the phases are ${o.config.phases.map((p) => p.name).join(', ')}.`;
      }
      const opts = { ...(phase ? { phases: [phase] } : {}), ...(filter ? { filter } : {}) };
      if (filter) {
        // A filter that matches nothing is the caller's mistake, not a target failure.
        const matched = o.known.filter((c) => (!phase || c.phase === phase) && caseMatcher(filter)(c.id));
        if (matched.length === 0) return `The filter "${filter}" matches no case${phase ? ` of phase ${phase}` : ''}.`;
      }
      return compactVerdict(await runVerdict(o.runSuite, o.config, o.known, opts));
    },
    ...(o.agent.allowSkip
      ? {
          skip: {
            refuse(id: string): string | null {
              if (!phaseOf.has(id)) return `there is no case "${id}"; give a case id as run_tests shows it`;
              if (isProtected(id)) return `case ${id} is protected: it must pass exactly and can never be skipped`;
              if (!o.failingIds().has(id)) return `case ${id} is not failing; only failing cases can be skipped`;
              return null;
            },
            async skipCase(id: string, reason: string): Promise<ToolResult> {
              if (reason === '') return { content: 'skip_case needs a reason the maintainer can read', isError: true };
              const phase = phaseOf.get(id)!;
              const r = await updateSkipListFiles(o.config.skiplist, {
                nowPass: [],
                known: [],
                add: [{ id, phase, reason: agentSkipReason(reason, o.iteration()) }],
              });
              if (!r.ok) return { content: `could not write the skip-list: ${r.message}`, isError: true };
              o.harnessWrote(r.changed);
              o.log({ type: 'skip-case', iteration: o.iteration(), id, reason });
              return { content: `${id} is skip-listed (${r.changed.join(', ') || 'already listed'}); it still runs and is reported`, isError: false };
            },
          },
        }
      : {}),
  });
}
