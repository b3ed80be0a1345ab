import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isFailing, type CaseStatus, type RawStatus } from '../judge/case-status.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { caseMatcher } from '../util/case-glob.js';
import { escapeCaseId, literalIdOf, parseSkipLine, splitLines } from './line.js';

/**
 * Skip-list rewrites for `porter test --update-skiplist` and `--baseline`: pure text
 * transforms that keep every other byte of the file, and a writer that touches a file only
 * when its text changes, atomically.
 */

/**
 * Drops the entries whose cases now pass; comments, blank lines, order and the reasons of
 * the other entries stay as they are.
 *
 * A literal entry goes when its case is in `nowPass`. A glob entry goes only when it
 * matches at least one known case and every known case it matches is in `nowPass` — one
 * case still failing keeps the whole glob, because narrowing someone's glob would rewrite
 * their intent. "Known" is `knownIds` plus `nowPass`: pass every case id of the suite (not
 * only those that ran), or a glob whose other cases were filtered out of the run would be
 * dropped. Without `knownIds` glob entries are always kept.
 */
export function removeEntries(text: string, nowPass: Iterable<string>, knownIds?: Iterable<string>): string {
  const passing = new Set(nowPass);
  if (passing.size === 0) return text;
  const known = knownIds === undefined ? undefined : [...new Set([...knownIds, ...passing])];
  const lines = text.split('\n');
  const kept = lines.filter((raw) => {
    const entry = parseSkipLine(raw);
    if (!entry) return true;
    const id = literalIdOf(entry.pattern);
    if (id !== null) return !passing.has(id);
    if (!known) return true;
    const matched = known.filter(caseMatcher(entry.pattern));
    return matched.length === 0 || matched.some((id) => !passing.has(id));
  });
  return kept.length === lines.length ? text : kept.join('\n');
}

/**
 * Appends `<id>  # <reason>` for every failure that no entry already covers (literally or
 * by glob), in the order given, keeping the file's line endings. Ids are escaped so that
 * each entry reads back as its own case only (see escapeCaseId): every writer of entries —
 * `--baseline`, `--update-skiplist`, the agent's `skip_case` — comes through here.
 */
export function addBaseline(text: string, failures: ReadonlyArray<{ id: string; reason: string }>): string {
  const lines = splitLines(text);
  const covered = new Set<string>();
  const globs = [];
  for (const raw of lines) {
    const entry = parseSkipLine(raw);
    if (!entry) continue;
    const literal = literalIdOf(entry.pattern);
    if (literal === null) globs.push(caseMatcher(entry.pattern));
    else covered.add(literal);
  }
  const added: string[] = [];
  for (const { id, reason } of failures) {
    if (covered.has(id) || globs.some((g) => g(id))) continue;
    covered.add(id);
    const why = oneLine(reason);
    added.push(why === '' ? escapeCaseId(id) : `${escapeCaseId(id)}  # ${why}`);
  }
  if (added.length === 0) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const sep = text === '' || text.endsWith('\n') ? '' : eol;
  return `${text}${sep}${added.join(eol)}${eol}`;
}

const MAX_REASON = 160;

function oneLine(reason: string): string {
  const s = reason.replace(/\s+/g, ' ').trim();
  return s.length > MAX_REASON ? `${s.slice(0, MAX_REASON - 1)}…` : s;
}

/** The reason a baseline entry records: `fail: <why>`, `timeout`, `crash: <why>`, … */
export function baselineReason(c: Pick<JudgedCase, 'rawStatus' | 'reason'>): string {
  return c.reason ? `${c.rawStatus}: ${c.reason}` : c.rawStatus;
}

export interface SkipListUpdate {
  /** Cases that passed although skipped (`unexpected-pass`): their entries go. */
  nowPass: ReadonlyArray<{ id: string; phase: string }>;
  /** Every case of the suite with its phase, not only those run (see removeEntries). */
  known: ReadonlyArray<{ id: string; phase: string }>;
  /** Failures to add (`--baseline`). */
  add: ReadonlyArray<{ id: string; phase: string; reason: string }>;
}

/** What planning an update reads of a case's result. */
export interface JudgedCase {
  id: string;
  phase: string;
  status: CaseStatus;
  rawStatus: RawStatus;
  reason?: string;
  protected?: boolean;
}

/**
 * What `--update-skiplist` and `--baseline` change, from a run's results. Protected cases
 * are never added: they must pass, not be parked.
 */
export function planSkipListUpdate(
  cases: readonly JudgedCase[],
  known: ReadonlyArray<{ id: string; phase: string }>,
  options: { removePassing: boolean; baseline: boolean },
): SkipListUpdate {
  return {
    nowPass: options.removePassing ? cases.filter((c) => c.status === 'unexpected-pass') : [],
    known,
    add: options.baseline
      ? cases.filter((c) => isFailing(c.status) && !c.protected).map((c) => ({ id: c.id, phase: c.phase, reason: baselineReason(c) }))
      : [],
  };
}

export type UpdateResult = { ok: true; changed: string[] } | { ok: false; message: string };

/**
 * Applies an update to the skip-list at `pathOrDir`: a folder of `<phase>.txt` files, or one
 * file when it is a file or, not existing yet, ends in `.txt`. Returns the files rewritten.
 */
export async function updateSkipListFiles(pathOrDir: string, update: SkipListUpdate): Promise<UpdateResult> {
  const single = await isSingleFile(pathOrDir);
  const targets = new Map<string, { phase?: string; nowPass: string[]; known: string[]; add: Array<{ id: string; reason: string }> }>();
  const targetOf = (phase: string) => {
    const file = single ? pathOrDir : path.join(pathOrDir, `${phase}.txt`);
    let t = targets.get(file);
    if (!t) {
      t = { nowPass: [], known: [], add: [] };
      if (!single) t.phase = phase;
      targets.set(file, t);
    }
    return t;
  };
  for (const c of update.nowPass) targetOf(c.phase).nowPass.push(c.id);
  for (const c of update.add) targetOf(c.phase).add.push(c);
  for (const c of update.known) {
    const file = single ? pathOrDir : path.join(pathOrDir, `${c.phase}.txt`);
    targets.get(file)?.known.push(c.id);
  }

  const changed: string[] = [];
  for (const [file, t] of targets) {
    let before: string | undefined;
    try {
      before = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        return { ok: false, message: `${file}: cannot read the skip-list file (${(e as NodeJS.ErrnoException).code})` };
      }
    }
    const start = before ?? newFileHeader(t.phase);
    const after = addBaseline(removeEntries(start, t.nowPass, t.known), t.add);
    if (after === (before ?? start)) continue;
    try {
      writeFileAtomic(file, after);
    } catch (e) {
      return { ok: false, message: `${file}: cannot write the skip-list file (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
    }
    changed.push(file);
  }
  return { ok: true, changed };
}

function newFileHeader(phase: string | undefined): string {
  const scope = phase === undefined ? 'Cases' : `Cases of phase "${phase}"`;
  return `# ${scope} that are expected to fail. One case id or glob per line, then "# reason".\n`;
}

async function isSingleFile(pathOrDir: string): Promise<boolean> {
  try {
    return !(await stat(pathOrDir)).isDirectory();
  } catch {
    return pathOrDir.endsWith('.txt');
  }
}
