/**
 * Cuts the work of parallel agents: the failing clusters of the current phase become work
 * items, each a set of cases one worker tries to make pass from the green commit. Pure: the
 * coordinator supplies the verdict, the green commit and what is in flight, and can call it
 * again after every merge or restart and get the same items for the same cases.
 */
import crypto from 'node:crypto';
import { causeFields, clusterFailures, type Cluster } from '../../reports/cluster.js';
import { isFailing } from '../../judge/case-status.js';
import type { CaseResult } from '../../run/types.js';

export interface WorkItem {
  /** Stable for the same phase and cases: `w-` and a short hash of both. */
  id: string;
  phase: string;
  /** What the cases have in common, for the worker's goal and the logs. */
  label: string;
  /** Case ids, sorted. */
  cases: string[];
  /** The green commit the worker starts from. */
  base: string;
  /** 1 for a first try; one more for each time the item went back to the queue. */
  attempt: number;
  /** Why it came back to the queue (a conflict, regressions), for the worker's task message. */
  note?: string;
  /** Summaries of the phases done so far, for the worker's seed (workers on other machines have no other copy). */
  summaries?: Array<{ phase: string; summary: string }>;
}

export interface PlanInput {
  /** Phase names in the order the port is built. */
  phases: readonly string[];
  /** The harness verdict on the green commit: every case's result, and why the target did not start, if it did not. */
  verdict: { cases: readonly CaseResult[]; targetError?: string };
  /** The green commit. */
  base: string;
  /** Cases that items in flight already hold: no new item takes them. */
  inFlight?: ReadonlySet<string>;
  /** Clusters smaller than this are packed together until a pack reaches it (default 3; 1 packs nothing). */
  minSize?: number;
  /** Largest cluster before it is split by topic (see clusterFailures). */
  maxClusterSize?: number;
  /** At most this many items, the largest first. */
  limit?: number;
  /** How many times an item with this id was tried before. */
  attempts?: (id: string) => number;
  /**
   * The run the items belong to, part of their ids: a queue that outlives a run (PostgreSQL)
   * never mistakes a new run's item for an old one with the same cases.
   */
  run?: string;
  /** A known cause per case, passed to the clustering. */
  causeOf?: (c: CaseResult) => string | undefined;
}

export interface Plan {
  /** The first phase with failing cases, or null when every phase passes. */
  phase: string | null;
  items: WorkItem[];
}

export const DEFAULT_MIN_ITEM = 3;

/** The short stable hash of a phase and its cases that names an item. */
export function workItemId(phase: string, cases: readonly string[], run = ''): string {
  const text = [...(run ? [`run ${run}`] : []), phase, ...[...cases].sort()].join('\n');
  return `w-${crypto.createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}

/**
 * Items for the first phase (in config order) that has failing cases: later phases wait until
 * it passes. When the target does not start, the whole phase is one item, since one fix
 * serves every case.
 */
export function planWorkItems(input: PlanInput): Plan {
  const failing = (phase: string) => input.verdict.cases.filter((c) => c.phase === phase && isFailing(c.status));
  const phase = input.phases.find((p) => failing(p).length > 0) ?? null;
  if (phase === null) return { phase, items: [] };

  const inFlight = input.inFlight ?? new Set<string>();
  const make = (label: string, cases: readonly string[]): WorkItem => {
    const sorted = [...cases].sort();
    const id = workItemId(phase, sorted, input.run);
    return { id, phase, label, cases: sorted, base: input.base, attempt: (input.attempts?.(id) ?? 0) + 1 };
  };

  const cases = failing(phase);
  if (input.verdict.targetError !== undefined) {
    const free = cases.filter((c) => !inFlight.has(c.id)).map((c) => c.id);
    return { phase, items: free.length > 0 ? [make(`the target does not start: ${input.verdict.targetError}`, free)] : [] };
  }

  // Cluster the whole phase, as the task message does, then leave out what is taken: the
  // clusters stay the same while items are in flight.
  const clusters = clusterFailures(
    cases.map((c) => ({ ...c, ...causeFields(c) })),
    { ...(input.maxClusterSize !== undefined ? { maxSize: input.maxClusterSize } : {}), ...(input.causeOf ? { causeOf: input.causeOf } : {}) },
  );
  const free = clusters
    .map((cl) => ({ label: clusterLabel(cl), key: cl.key, ids: cl.cases.map((c) => c.id).filter((id) => !inFlight.has(id)) }))
    .filter((g) => g.ids.length > 0);

  const items = pack(free, Math.max(1, input.minSize ?? DEFAULT_MIN_ITEM)).map((g) => make(g.label, g.ids));
  items.sort((a, b) => b.cases.length - a.cases.length || (a.id < b.id ? -1 : 1));
  return { phase, items: input.limit !== undefined ? items.slice(0, Math.max(0, input.limit)) : items };
}

function clusterLabel(cl: Cluster<CaseResult>): string {
  return cl.sample !== undefined ? `${cl.label}: ${cl.sample}` : cl.label;
}

interface Group {
  label: string;
  key: string;
  ids: string[];
}

/**
 * Clusters of `minSize` or more stay as they are; smaller ones are packed, those of one
 * symptom (the part of the key before a topic) next to each other, each pack closed once it
 * reaches `minSize`. A last pack that stays short joins the pack before it.
 */
function pack(groups: readonly Group[], minSize: number): Group[] {
  const big = groups.filter((g) => g.ids.length >= minSize);
  const small = groups.filter((g) => g.ids.length < minSize);
  const symptom = (g: Group) => g.key.split('|')[0]!;
  const order = new Map(groups.map((g, i) => [g, i]));
  small.sort((a, b) => (symptom(a) < symptom(b) ? -1 : symptom(a) > symptom(b) ? 1 : order.get(a)! - order.get(b)!));

  const packs: Group[][] = [];
  let open: Group[] = [];
  for (const g of small) {
    open.push(g);
    if (open.reduce((n, x) => n + x.ids.length, 0) >= minSize) {
      packs.push(open);
      open = [];
    }
  }
  if (open.length > 0) {
    if (packs.length > 0) packs[packs.length - 1]!.push(...open);
    else packs.push(open);
  }
  return [
    ...big,
    ...packs.map((p) =>
      p.length === 1 ? p[0]! : { label: `${p.length} small groups: ${p.map((g) => g.label).join('; ')}`, key: p.map((g) => g.key).join(' + '), ids: p.flatMap((g) => g.ids) },
    ),
  ];
}
