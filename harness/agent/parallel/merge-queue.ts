import { redactUrls } from '../../util/redact-urls.js';
import type { PorterConfig } from '../../config/types.js';
import { countsLine } from '../../judge/case-status.js';
import type { MergeStatus } from '../types.js';
import { passingIds, phaseCounts, runVerdict, type KnownCase, type SuiteRunner, type SuiteVerdict } from '../verdict.js';
import type { WorkResult } from './queue/work-queue.js';
import type { WorkItem } from './work-items.js';
import { abandonMerge, commitMerge, fetchBranch, hasCommit, mergeNoCommit } from './worktree-git.js';

/**
 * The merge queue's judgement of one result: merged onto the green line, judged by the
 * harness with the full suite, and committed only if no case that passed on the green line
 * fails and the passing set grows. Otherwise the green line is left exactly as it was and
 * the decision says why, for the item's next attempt.
 */

export interface GreenLine {
  rev: string;
  verdict: SuiteVerdict;
}

export type MergeDecision =
  | { status: 'accepted'; detail: string; rev: string; verdict: SuiteVerdict; gained: string[] }
  | { status: 'rejected'; detail: string; regressions: string[] }
  | { status: 'conflict'; detail: string; files: string[] }
  | { status: Extract<MergeStatus, 'superseded' | 'dropped'>; detail: string };

export interface MergeDeps {
  workspace: string;
  config: PorterConfig;
  known: readonly KnownCase[];
  runSuite: SuiteRunner;
  runId: string;
  /** The coordinator's git remote, where results of workers on other machines are. */
  remote?: string;
}

/** What a merged tree does to the green line's passing set. */
export function compareWithGreen(greenPassing: readonly string[], merged: readonly string[]): { regressions: string[]; gained: string[] } {
  const green = new Set(greenPassing);
  const now = new Set(merged);
  return { regressions: [...green].filter((id) => !now.has(id)).sort(), gained: [...now].filter((id) => !green.has(id)).sort() };
}

/** True when every case of the item passes on the green line already. */
export function supersededOn(green: SuiteVerdict, item: WorkItem): boolean {
  const passing = new Set(passingIds(green.cases));
  return item.cases.every((id) => passing.has(id));
}

const list = (ids: readonly string[], max = 10) => `${ids.slice(0, max).join(', ')}${ids.length > max ? `, … (${ids.length} in all)` : ''}`;

/** The green line's commit message: the item, the worker, the counts. */
export function mergeMessage(item: WorkItem, result: WorkResult, v: SuiteVerdict, gained: readonly string[], runId: string): string {
  const c = phaseCounts(v, item.phase);
  return [
    `porter: merge ${item.id} from ${result.workerId}: ${item.phase} ${c.pass}/${c.total} (+${gained.length})`,
    '',
    `Item: ${item.label}`,
    countsLine(v.phases),
    `Newly passing: ${list(gained, 30)}`,
    `Porter-Item: ${item.id} attempt ${item.attempt}`,
    `Porter-Worker: ${result.workerId}`,
    `Porter-Run: ${runId}`,
  ].join('\n');
}

/** The trailer an accepted merge's commit carries, by which a resumed coordinator recognises it. */
export function itemTrailer(itemId: string, attempt: number): string {
  return `Porter-Item: ${itemId} attempt ${attempt}`;
}

export async function mergeResult(d: MergeDeps, green: GreenLine, item: WorkItem, result: WorkResult): Promise<MergeDecision> {
  if (supersededOn(green.verdict, item)) return { status: 'superseded', detail: `its ${item.cases.length} case(s) already pass on the green line` };
  if (!(await hasCommit(d.workspace, result.commit)) && d.remote) {
    const why = await fetchBranch(d.workspace, d.remote, result.branch);
    if (why) return { status: 'dropped', detail: `its result ${result.branch} could not be fetched from ${redactUrls(d.remote)}: ${why}` };
  }
  if (!(await hasCommit(d.workspace, result.commit))) return { status: 'dropped', detail: `its result commit ${result.commit.slice(0, 8)} is not in the repository` };

  const merged = await mergeNoCommit(d.workspace, result.commit);
  if (!merged.ok) {
    return { status: 'conflict', detail: `its changes conflict with the green line in ${list(merged.conflicts)}`, files: merged.conflicts };
  }
  if (!merged.changed) {
    await abandonMerge(d.workspace, green.rev);
    return { status: 'superseded', detail: 'its changes are already on the green line' };
  }
  const v = await runVerdict(d.runSuite, d.config, d.known);
  const { regressions, gained } = compareWithGreen(passingIds(green.verdict.cases), passingIds(v.cases));
  if (regressions.length === 0 && gained.length > 0) {
    const rev = await commitMerge(d.workspace, mergeMessage(item, result, v, gained, d.runId));
    return { status: 'accepted', detail: `+${gained.length}: ${countsLine(v.phases)}`, rev, verdict: v, gained };
  }
  await abandonMerge(d.workspace, green.rev);
  if (regressions.length > 0) {
    return { status: 'rejected', detail: `merged, it breaks ${regressions.length} case(s) that pass on the green line: ${list(regressions)}`, regressions };
  }
  return { status: 'rejected', detail: 'merged onto the green line, it makes no more cases pass', regressions: [] };
}
