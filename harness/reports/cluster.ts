/**
 * Groups failing cases that probably share one cause, so a report shows one diff per cause
 * and parallel agents get disjoint, cohesive work. First by symptom: a known cause, faults by
 * kind, error snapshots by the differing facet and expected kind, ordinary output by its first
 * differing line when the start of the output is right, else by what the target printed.
 * Then a symptom shared by many cases, or output failures that share no symptom at all, are
 * split by topic: the rare words their ids and inputs have in common (see cluster-topics.ts).
 * Each phase is clustered on its own, so a phase's clusters are the same whether the other
 * phases are in the list or not; clusters with the same key then merge across phases.
 */
import type { CaseResult } from '../run/types.js';
import { splitByTopic, WordStats } from './cluster-topics.js';
import type { FailureDetail } from './history-types.js';

/** What clustering reads from a failing case; both CaseResult (with causeFields) and FailureDetail fit. */
export type Clusterable = Pick<FailureDetail, 'id' | 'phase' | 'status' | 'facet' | 'reason' | 'diff' | 'expectedKind' | 'printed' | 'features'>;

export interface Cluster<T extends Clusterable> {
  key: string;
  /** Prose for a heading, e.g. "first differing line". */
  label: string;
  /** Literal text that goes with the label (a diff line, an error message), shown as code. */
  sample?: string;
  phases: string[];
  cases: T[];
  /** The words its cases' ids or inputs share, when the cluster is a topic of a larger symptom. */
  topic?: string[];
}

export interface ClusterOptions<T> {
  /** Largest cluster one symptom may form before it is split by topic (default 12). */
  maxSize?: number;
  /**
   * The cause of a case when the caller knows it, e.g. the change that fixes it: cases with
   * the same cause form one cluster, whatever their symptoms.
   */
  causeOf?: (c: T) => string | undefined;
}

export const DEFAULT_MAX_CLUSTER = 12;

/** The longest `printed` line kept: enough to tell errors apart, small in the history. */
const MAX_PRINTED = 160;

/** The fields clustering needs that a CaseResult holds in other shapes; the history stores them as they are. */
export function causeFields(c: CaseResult): Pick<FailureDetail, 'expectedKind' | 'actualKind' | 'printed' | 'features'> {
  const out: Pick<FailureDetail, 'expectedKind' | 'actualKind' | 'printed' | 'features'> = {};
  if (c.expectedFacets?.kind) out.expectedKind = c.expectedFacets.kind;
  if (c.actualFacets?.kind) out.actualKind = c.actualFacets.kind;
  const printed = printedLine(c);
  if (printed !== undefined) out.printed = printed;
  if (c.features?.length) out.features = c.features;
  return out;
}

/** What the target printed, in one line: its error, or its first non-blank line ('' for nothing). */
function printedLine(c: CaseResult): string | undefined {
  if (c.actual === undefined) return undefined;
  const a = c.actualFacets;
  const line = a?.kind ? `${a.kind}${a.message ? `: ${a.message}` : ''}` : (c.actual.split('\n').find((l) => l.trim() !== '') ?? '');
  const one = line.trim().replace(/\s+/g, ' ');
  return one.length > MAX_PRINTED ? one.slice(0, MAX_PRINTED) : one;
}

/** The first changed line of a unified diff, headers skipped. */
export function firstDifferingLine(diff: string): string | null {
  for (const line of diff.split('\n')) {
    if (isHeader(line)) continue;
    if (line.startsWith('-') || line.startsWith('+')) return line.trimEnd();
  }
  return null;
}

const isHeader = (line: string) => line.startsWith('---') || line.startsWith('+++') || line.startsWith('===') || line.startsWith('Index:');

/** True when the diff's first change comes after a line that matched: the output starts right. */
function startsRight(diff: string): boolean {
  for (const line of diff.split('\n')) {
    if (isHeader(line)) continue;
    const hunk = /^@@ -(\d+)/.exec(line);
    if (hunk) {
      if (Number(hunk[1]) > 1) return true;
      continue;
    }
    return line.startsWith(' ');
  }
  return false;
}

/** A message with what varies per case (its id, paths, quoted names, numbers) made general. */
export function generalize(text: string, id: string): string {
  let s = text.replace(/\S*[/\\]\S*/g, '<path>');
  const inputName = id.slice(id.indexOf('@') + 1);
  for (const name of [id, inputName]) if (name.length >= 4) s = s.split(name).join('<case>');
  s = s.replace(/"[^"\n]*"|`[^`\n]*`|(?<!\w)'[^'\n]*'/g, '"…"');
  return s.replace(/0x[0-9a-f]+/gi, '#').replace(/\d+(\.\d+)?/g, '#').trim();
}

interface Symptom {
  key: string;
  label: string;
  sample?: string;
  /** Output that merely differs: alone, such a case joins the others of its phase to be split by topic. */
  output?: boolean;
}

function symptomOf<T extends Clusterable>(c: T, causeOf?: (c: T) => string | undefined): Symptom {
  const cause = causeOf?.(c);
  if (cause !== undefined) return { key: `cause:${cause}`, label: 'fixed by one change', sample: cause };
  if (c.status === 'timeout') return { key: 'timeout', label: 'timed out' };
  if (c.status === 'crash') return { key: 'crash', label: 'target crashed' };
  if (c.status === 'error') {
    const general = generalize(c.reason ?? 'error', c.id);
    return { key: `error:${general}`, label: 'harness error', sample: general };
  }
  if (c.facet && c.facet !== 'output') {
    const kind = c.expectedKind ?? 'unknown kind';
    return { key: `facet:${c.facet}:${kind.toLowerCase().replace(/[\s_]/g, '')}`, label: `error ${c.facet} differs (expected ${kind})` };
  }
  const first = c.diff ? firstDifferingLine(c.diff) : null;
  // When the output is wrong from its first line, that line is just the expected output's
  // start, different in every case; what the target printed instead is the common cause.
  if (c.printed !== undefined && !(c.diff && startsRight(c.diff))) {
    const general = generalize(c.printed, c.id);
    return general === ''
      ? { key: 'printed:', label: 'target printed nothing', output: true }
      : { key: `printed:${general}`, label: 'target printed', sample: general, output: true };
  }
  if (first !== null) return { key: `line:${first}`, label: 'first differing line', sample: first, output: true };
  return { key: `reason:${c.reason ?? ''}`, label: c.reason ?? 'output differs', output: true };
}

/** Clusters, largest first; ties keep the order of their first case. */
export function clusterFailures<T extends Clusterable>(cases: readonly T[], options: ClusterOptions<T> = {}): Array<Cluster<T>> {
  const byPhase = new Map<string, T[]>();
  for (const c of cases) {
    let list = byPhase.get(c.phase);
    if (!list) byPhase.set(c.phase, (list = []));
    list.push(c);
  }
  const byKey = new Map<string, Cluster<T>>();
  for (const list of byPhase.values()) {
    for (const part of clusterPhase(list, options)) {
      const cluster = byKey.get(part.key);
      if (!cluster) byKey.set(part.key, part);
      else {
        cluster.cases.push(...part.cases);
        cluster.phases.push(...part.phases.filter((p) => !cluster.phases.includes(p)));
      }
    }
  }
  const order = new Map(cases.map((c, i) => [c, i]));
  const index = (c: T) => order.get(c) ?? 0;
  for (const cl of byKey.values()) cl.cases.sort((a, b) => index(a) - index(b));
  return [...byKey.values()].sort((a, b) => b.cases.length - a.cases.length || index(a.cases[0]!) - index(b.cases[0]!));
}

function clusterPhase<T extends Clusterable>(cases: readonly T[], options: ClusterOptions<T>): Array<Cluster<T>> {
  const maxSize = Math.max(2, options.maxSize ?? DEFAULT_MAX_CLUSTER);
  const stats = new WordStats(cases);
  const groups = new Map<string, { symptom: Symptom; cases: T[] }>();
  for (const c of cases) {
    const symptom = symptomOf(c, options.causeOf);
    const g = groups.get(symptom.key);
    if (g) g.cases.push(c);
    else groups.set(symptom.key, { symptom, cases: [c] });
  }

  const out: Array<Cluster<T>> = [];
  const make = (s: Symptom, members: T[], topic?: string[]): Cluster<T> => ({
    key: topic === undefined ? s.key : `${s.key}|${topic.join('+')}`,
    label: topic === undefined ? s.label : `${topicPhrase(topic, members, stats)} · ${s.label}`,
    ...(s.sample !== undefined ? { sample: s.sample } : {}),
    phases: [members[0]!.phase],
    cases: members,
    ...(topic !== undefined ? { topic } : {}),
  });

  // Output failures with a symptom of their own are split by topic together: alone each says little.
  const loners = [...groups.values()].filter((g) => g.symptom.output && g.cases.length === 1).map((g) => g.cases[0]!);
  if (loners.length > 1) {
    const { groups: topics, rest } = splitByTopic(loners, stats, maxSize);
    const pooled: Symptom = { key: 'output', label: 'output differs' };
    for (const t of topics) out.push(make(pooled, t.cases, t.words));
    const left = new Set(rest);
    for (const g of groups.values()) if (g.cases.length === 1 && g.symptom.output && !left.has(g.cases[0]!)) groups.delete(g.symptom.key);
  }

  for (const { symptom, cases: members } of groups.values()) {
    if (members.length <= maxSize || symptom.key.startsWith('cause:')) {
      out.push(make(symptom, members));
      continue;
    }
    const { groups: topics, rest } = splitByTopic(members, stats, maxSize);
    for (const t of topics) out.push(make(symptom, t.cases, t.words));
    if (rest.length > 0) out.push(make(symptom, rest));
  }
  return out;
}

/** `ids with "loop"` when the word is in every case's id, else `inputs use "loop"`; several words joined. */
function topicPhrase<T extends Clusterable>(words: readonly string[], members: readonly T[], stats: WordStats<T>): string {
  const inIds = words.filter((w) => members.every((c) => stats.inId(c, w)));
  const inInputs = words.filter((w) => !inIds.includes(w));
  const quote = (ws: string[]) => ws.map((w) => `"${w}"`).join(', ');
  return [inIds.length ? `ids with ${quote(inIds)}` : '', inInputs.length ? `inputs use ${quote(inInputs)}` : ''].filter(Boolean).join(', ');
}
