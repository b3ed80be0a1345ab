import type { PorterConfig } from '../config/types.js';
import { runSuite, type RunOptions } from '../run/run-suite.js';
import { allRequiredPass, isFailing, isSkipListed } from '../judge/case-status.js';
import type { CaseResult, RunResult } from '../run/types.js';
import { acceptedStatus, publishDriftStatus, type PublishedDrift } from './drift-report.js';
import { openSourceAt, toRequest, type Result, type Revision } from './source-repo.js';
import { loadSuitesAt } from './suite-at.js';
import { upstreamFile, workspaceOf, writeUpstream, type Upstream } from './upstream-file.js';
import { commitFile, type FileCommit } from './workspace-commit.js';

/**
 * `porter sync --accept`: the port is said to match a source revision only when it passes
 * there. The current target runs against the suite as it was at that revision (read from git,
 * so the checkout may be anywhere); skip-listed cases aside, every case must pass.
 */

export type AcceptOutcome =
  | { accepted: true; revision: Revision; result: RunResult; upstream: Upstream; file: string; commit: FileCommit; reports: PublishedDrift }
  | { accepted: false; revision: Revision; result: RunResult; failing: CaseResult[] };

export interface AcceptOptions extends Pick<RunOptions, 'workers' | 'onCase' | 'createRunner'> {
  /** Default: the source checkout's HEAD. */
  to?: string;
}

export async function acceptRevision(config: PorterConfig, options: AcceptOptions = {}): Promise<Result<{ outcome: AcceptOutcome }>> {
  const opened = await openSourceAt(config.source, [toRequest(options.to)]);
  if (!opened.ok) return opened;
  const revision = opened.revisions[0]!;
  const loaded = await loadSuitesAt(config, opened.repo, [revision]);
  if (!loaded.ok) return loaded;
  const suite = loaded.suites[0]!.suite;

  const ran = await runSuite(config, {
    suite,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.onCase ? { onCase: options.onCase } : {}),
    ...(options.createRunner ? { createRunner: options.createRunner } : {}),
  });
  if (!ran.ok) return ran;
  const result = ran.result;
  if (!allRequiredPass(result.cases)) {
    const failing = result.cases.filter((c) => isFailing(c.status));
    return { ok: true, outcome: { accepted: false, revision, result, failing } };
  }

  const upstream: Upstream = { rev: revision.rev, date: revision.date, cases: suite.cases.length };
  const recorded = recordAcceptedUpstream(config, upstream);
  if (!recorded.ok) return recorded;
  const { file, reports } = recorded;
  const skipped = result.cases.filter((c) => isSkipListed(c.status)).length;
  const passing = `${suite.cases.length - skipped} cases pass${skipped ? `, ${skipped} skip-listed` : ''}`;
  const commit = await commitFile(workspaceOf(config), file, `porter: source at ${revision.short} accepted (${passing})`);
  return { ok: true, outcome: { accepted: true, revision, result, upstream, file, commit, reports } };
}

/**
 * Records that the port passes at `upstream.rev`: porter.upstream.json in the workspace (for the
 * caller to commit) and the reports' drift status. What the agent loop calls on a green commit
 * that passes everything at the revision it ports to.
 */
export function recordAcceptedUpstream(config: PorterConfig, upstream: Upstream): Result<{ file: string; reports: PublishedDrift }> {
  let file: string;
  try {
    file = writeUpstream(workspaceOf(config), upstream);
  } catch (err) {
    return { ok: false, message: `cannot write ${upstreamFile(workspaceOf(config))}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  return { ok: true, file, reports: publishDriftStatus(config, acceptedStatus(upstream)) };
}
