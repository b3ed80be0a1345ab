/**
 * Groups failing cases that probably share one cause, so a report shows one diff per
 * cause instead of a hundred: ordinary output by its first differing line, error
 * snapshots by the differing facet and the expected error kind, faults by kind.
 */
import type { FailureDetail } from './history-types.js';

/** What clustering reads from a failing case; both CaseResult and FailureDetail fit. */
export type Clusterable = Pick<FailureDetail, 'id' | 'phase' | 'status' | 'facet' | 'reason' | 'diff' | 'expectedKind'>;

export interface Cluster<T extends Clusterable> {
  key: string;
  /** Prose for a heading, e.g. "first differing line". */
  label: string;
  /** Literal text that goes with the label (a diff line, an error message), shown as code. */
  sample?: string;
  phases: string[];
  cases: T[];
}

/** The first changed line of a unified diff, headers skipped. */
export function firstDifferingLine(diff: string): string | null {
  for (const line of diff.split('\n')) {
    if (line.startsWith('---') || line.startsWith('+++') || line.startsWith('===') || line.startsWith('Index:')) continue;
    if (line.startsWith('-') || line.startsWith('+')) return line.trimEnd();
  }
  return null;
}

function keyOf(c: Clusterable): { key: string; label: string; sample?: string } {
  if (c.status === 'timeout') return { key: 'timeout', label: 'timed out' };
  if (c.status === 'crash') return { key: 'crash', label: 'target crashed' };
  if (c.status === 'error') {
    // Reasons repeat the case's own path or id and numbers; without them, equal causes compare equal.
    let general = (c.reason ?? 'error').replace(/\S*[/\\]\S*/g, '<path>');
    if (c.id.length >= 4) general = general.split(c.id).join('<case>');
    general = general.replace(/\d+/g, '#');
    return { key: `error:${general}`, label: 'harness error', sample: general };
  }
  if (c.facet && c.facet !== 'output') {
    const kind = c.expectedKind ?? 'unknown kind';
    return { key: `facet:${c.facet}:${kind.toLowerCase().replace(/[\s_]/g, '')}`, label: `error ${c.facet} differs (expected ${kind})` };
  }
  const first = c.diff ? firstDifferingLine(c.diff) : null;
  if (first !== null) return { key: `line:${first}`, label: 'first differing line', sample: first };
  return { key: `reason:${c.reason ?? ''}`, label: c.reason ?? 'output differs' };
}

/** Clusters, largest first; ties keep the order of their first case. */
export function clusterFailures<T extends Clusterable>(cases: readonly T[]): Array<Cluster<T>> {
  const byKey = new Map<string, Cluster<T>>();
  for (const c of cases) {
    const { key, label, sample } = keyOf(c);
    let cluster = byKey.get(key);
    if (!cluster) byKey.set(key, (cluster = { key, label, ...(sample !== undefined ? { sample } : {}), phases: [], cases: [] }));
    cluster.cases.push(c);
    if (!cluster.phases.includes(c.phase)) cluster.phases.push(c.phase);
  }
  return [...byKey.values()].sort((a, b) => b.cases.length - a.cases.length);
}
