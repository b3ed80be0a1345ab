import { visibleDiff } from '../judge/diff.js';
import { instaContentsMatch, normalizeSnapshotText } from '../suite/insta-compare.js';
import type { Case, SnapshotHeader } from '../suite/types.js';
import type { SuiteAt } from './suite-at.js';
import type { ChangeReason, ChangedCase, DriftCase, MetadataOnlyCase } from './types.js';

/**
 * Case by case, what changed between the suite at `from` and at `to`, judged as insta judges a
 * snapshot: the expected output counts only after insta's normalisation, so a snapshot rewritten
 * with a new `assertion_line` or trailing blank lines is metadata, not drift.
 */

export interface SuiteComparison {
  added: DriftCase[];
  removed: DriftCase[];
  changed: ChangedCase[];
  metadata_only: MetadataOnlyCase[];
  /** Per case id in the buckets above, the files (relative to `source`) whose commits concern it. */
  pathsOf: Map<string, Set<string>>;
  /** Every file either suite reads: what the commit list looks at. */
  suitePaths: Set<string>;
}

/** Longest diff kept per case; the JSON is where a reader goes for all of it. */
const DIFF_LINES = 2000;

export function compareSuites(from: SuiteAt, to: SuiteAt): SuiteComparison {
  const before = new Map(from.suite.cases.map((c) => [c.id, c]));
  const after = new Map(to.suite.cases.map((c) => [c.id, c]));
  const changedFiles = changedPhaseFiles(from, to);
  const out: SuiteComparison = { added: [], removed: [], changed: [], metadata_only: [], pathsOf: new Map(), suitePaths: new Set() };
  for (const s of [from.suite, to.suite]) {
    for (const c of s.cases) for (const p of casePaths(c)) out.suitePaths.add(p);
    for (const phaseFiles of Object.values(s.files)) for (const p of Object.keys(phaseFiles)) out.suitePaths.add(p);
  }

  for (const [id, c] of after) {
    if (!before.has(id)) {
      out.added.push({ id, phase: c.phase, commits: [] });
      out.pathsOf.set(id, new Set(casePaths(c)));
    }
  }
  for (const [id, c] of before) {
    const now = after.get(id);
    if (!now) {
      out.removed.push({ id, phase: c.phase, commits: [] });
      out.pathsOf.set(id, new Set(casePaths(c)));
      continue;
    }
    const reasons: ChangeReason[] = [];
    const expectedChanged = instaContentsMatch(c.snapshot.body, now.snapshot.body) === false;
    if (expectedChanged) reasons.push('expected');
    const oldInput = inputText(from, c);
    const newInput = inputText(to, now);
    if (oldInput !== newInput) reasons.push('input');
    const files = changedFiles.get(now.phase) ?? [];
    if (files.length > 0) reasons.push('files');

    if (reasons.length > 0) {
      const entry: ChangedCase = {
        id,
        phase: now.phase,
        commits: [],
        reasons,
        old_expected: c.snapshot.body,
        new_expected: now.snapshot.body,
        diff: expectedChanged ? diffAt(comparable(c.snapshot.body), comparable(now.snapshot.body), c.snapshot.path, now.snapshot.path, from, to) : '',
      };
      if (oldInput !== newInput) entry.input_diff = diffAt(oldInput ?? '', newInput ?? '', c.input?.path ?? '(no input)', now.input?.path ?? '(no input)', from, to);
      if (files.length > 0) entry.changed_files = files;
      // A case that can no longer run at `to` (its input gone, or ambiguous) says why, as porter list would.
      if (now.problem && !c.problem) entry.problem = now.problem;
      out.changed.push(entry);
      out.pathsOf.set(id, new Set([...casePaths(c), ...casePaths(now), ...files]));
      continue;
    }
    const fields = headerChanges(c.snapshot.header, now.snapshot.header);
    if (c.snapshot.body !== now.snapshot.body) fields.push('body');
    if (fields.length > 0) {
      out.metadata_only.push({ id, phase: now.phase, fields });
      out.pathsOf.set(id, new Set([...casePaths(c), ...casePaths(now)]));
    }
  }
  // Phase order then id order at `to` (the suite's own order); removed cases in `from`'s order.
  const order = new Map([...from.suite.cases, ...to.suite.cases].map((c, i) => [c.id, i]));
  const byOrder = (a: { id: string }, b: { id: string }) => order.get(a.id)! - order.get(b.id)!;
  out.added.sort(byOrder);
  out.changed.sort(byOrder);
  out.metadata_only.sort(byOrder);
  return out;
}

/** The expected output as insta compares it, as lines: no "no newline at end of file" noise in its diff. */
function comparable(body: string): string {
  return `${normalizeSnapshotText(body)}\n`;
}

function casePaths(c: Case): string[] {
  return c.input ? [c.snapshot.path, c.input.path] : [c.snapshot.path];
}

/** The raw text of a case's input file, or null when it has none (a case with a `problem`). */
function inputText(at: SuiteAt, c: Case): string | null {
  if (!c.input) return null;
  const read = at.files.read(`${at.files.root}/${c.input.path}`, c.input.path);
  return read.kind === 'text' ? read.text : null;
}

/** Per phase, the extra files added, removed or changed between the two revisions. */
function changedPhaseFiles(from: SuiteAt, to: SuiteAt): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const phase of new Set([...Object.keys(from.suite.files), ...Object.keys(to.suite.files)])) {
    const a = from.suite.files[phase] ?? {};
    const b = to.suite.files[phase] ?? {};
    const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((p) => a[p] !== b[p]).sort();
    if (changed.length > 0) out.set(phase, changed);
  }
  return out;
}

/** Header fields whose values differ, unknown ones included, in a stable order. */
function headerChanges(a: SnapshotHeader, b: SnapshotHeader): string[] {
  const flat = (h: SnapshotHeader): Record<string, unknown> => {
    const { extra, ...known } = h;
    return { ...extra, ...known };
  };
  const x = flat(a);
  const y = flat(b);
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k])).sort();
}

function diffAt(before: string, after: string, oldPath: string, newPath: string, from: SuiteAt, to: SuiteAt): string {
  return visibleDiff(before, after, {
    expectedLabel: `${oldPath} @ ${from.revision.short}`,
    actualLabel: `${newPath} @ ${to.revision.short}`,
    maxLines: DIFF_LINES,
  });
}
