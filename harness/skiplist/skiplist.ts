import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { caseMatcher, type CaseMatcher } from '../util/case-glob.js';
import { literalIdOf, parseSkipLine, splitLines } from './line.js';

/**
 * The skip-list: `skiplist/<phase>.txt` files (an entry applies to its phase's cases only)
 * or one file (its entries apply to every phase). Each line is a case id or a glob over case
 * ids, with `# reason` after it. Skipped cases still run; the runner uses `match` to turn a
 * result into `skip` or `unexpected-pass`.
 */
export interface SkipEntry {
  pattern: string;
  reason: string;
  file: string;
  /** 1-based line number. */
  line: number;
  /** The phase whose file holds the entry; undefined for a single skip-list file. */
  phase?: string;
}

export interface SkipMatch {
  reason: string;
  file: string;
  line: number;
  pattern: string;
}

/** An entry that matches no case of the suite: stale, to be tidied (and a failure under `--strict`). */
export interface StaleSkip {
  /** The skip-list file and line. */
  file: string;
  line: number;
  pattern: string;
}

/** `warnings` is the same list as `list.warnings`, for callers that gather warnings from every loader alike. */
export type SkipListResult = { ok: true; list: SkipList; warnings: string[] } | { ok: false; message: string };

/** Entries of one file, indexed: literal ids by map, globs compiled once. */
class EntryGroup {
  private readonly literal = new Map<string, SkipEntry>();
  private readonly globs: Array<{ entry: SkipEntry; test: CaseMatcher }> = [];

  constructor(readonly entries: SkipEntry[]) {
    for (const e of entries) {
      const id = literalIdOf(e.pattern);
      if (id === null) this.globs.push({ entry: e, test: caseMatcher(e.pattern) });
      else if (!this.literal.has(id)) this.literal.set(id, e);
    }
  }

  /** The earliest line that matches, as a reader of the file would expect. */
  match(id: string): SkipEntry | undefined {
    let best = this.literal.get(id);
    for (const g of this.globs) {
      if (best && g.entry.line > best.line) break;
      if (g.test(id)) {
        best = g.entry;
        break;
      }
    }
    return best;
  }

  matchesAny(entry: SkipEntry, ids: readonly string[], idSet: ReadonlySet<string>): boolean {
    const id = literalIdOf(entry.pattern);
    if (id !== null) return idSet.has(id);
    const test = this.globs.find((g) => g.entry === entry)!.test;
    return ids.some(test);
  }
}

export class SkipList {
  private readonly byPhase = new Map<string, EntryGroup>();
  private readonly everyPhase: EntryGroup;

  constructor(
    readonly entries: readonly SkipEntry[],
    readonly warnings: readonly string[] = [],
  ) {
    const grouped = new Map<string, SkipEntry[]>();
    for (const e of entries) {
      if (e.phase === undefined) continue;
      const list = grouped.get(e.phase);
      if (list) list.push(e);
      else grouped.set(e.phase, [e]);
    }
    for (const [phase, list] of grouped) this.byPhase.set(phase, new EntryGroup(list));
    this.everyPhase = new EntryGroup(entries.filter((e) => e.phase === undefined));
  }

  match(caseId: string, phase: string): SkipMatch | null {
    const e = this.byPhase.get(phase)?.match(caseId) ?? this.everyPhase.match(caseId);
    return e ? { reason: e.reason, file: e.file, line: e.line, pattern: e.pattern } : null;
  }

  /**
   * Entries that match no case. Pass every case id of the suite, not only those run. With
   * `phaseOf`, an entry of `<phase>.txt` counts only cases of that phase, as `match` does.
   */
  stale(allCaseIds: Iterable<string>, phaseOf?: (id: string) => string | undefined): StaleSkip[] {
    const ids = [...allCaseIds];
    const idsOf = new Map<string, string[]>();
    if (phaseOf) {
      for (const id of ids) {
        const ph = phaseOf(id);
        if (ph === undefined) continue;
        const list = idsOf.get(ph);
        if (list) list.push(id);
        else idsOf.set(ph, [id]);
      }
    }
    const sets = new Map<readonly string[], Set<string>>();
    const setOf = (list: readonly string[]) => {
      const set = new Set(list);
      sets.set(list, set);
      return set;
    };
    const stale: StaleSkip[] = [];
    for (const e of this.entries) {
      const group = e.phase === undefined ? this.everyPhase : this.byPhase.get(e.phase)!;
      const candidates = phaseOf && e.phase !== undefined ? (idsOf.get(e.phase) ?? []) : ids;
      if (!group.matchesAny(e, candidates, sets.get(candidates) ?? setOf(candidates))) stale.push({ file: e.file, line: e.line, pattern: e.pattern });
    }
    return stale;
  }
}

/**
 * Loads the skip-list from a folder of `<phase>.txt` files or from one file. A missing
 * folder or file is an empty list. Entries without a reason load, with a warning.
 */
export async function loadSkipList(pathOrDir: string, phases: readonly string[]): Promise<SkipListResult> {
  let kind: 'file' | 'dir';
  try {
    kind = (await stat(pathOrDir)).isDirectory() ? 'dir' : 'file';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, list: new SkipList([]), warnings: [] };
    return { ok: false, message: `${pathOrDir}: cannot read the skip-list (${(e as NodeJS.ErrnoException).code})` };
  }

  const files: Array<{ file: string; phase?: string }> = [];
  const warnings: string[] = [];
  if (kind === 'file') files.push({ file: pathOrDir });
  else {
    let names: string[];
    try {
      names = await readdir(pathOrDir);
    } catch (e) {
      return { ok: false, message: `${pathOrDir}: cannot read the skip-list folder (${(e as NodeJS.ErrnoException).code})` };
    }
    for (const name of names.filter((n) => n.endsWith('.txt')).sort()) {
      const phase = name.slice(0, -'.txt'.length);
      const file = path.join(pathOrDir, name);
      if (phases.includes(phase)) files.push({ file, phase });
      else warnings.push(`${file}: there is no phase "${phase}" (phases: ${phases.join(', ')}); its entries are ignored — rename the file to <phase>.txt`);
    }
  }

  const entries: SkipEntry[] = [];
  const errors: string[] = [];
  for (const { file, phase } of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      errors.push(`${file}: cannot read the skip-list file (${(e as NodeJS.ErrnoException).code})`);
      continue;
    }
    const parsed = parseSkipFile(text, file, phase);
    entries.push(...parsed.entries);
    warnings.push(...parsed.warnings);
    errors.push(...parsed.errors);
  }
  if (errors.length > 0) return { ok: false, message: errors.join('\n') };
  return { ok: true, list: new SkipList(entries, warnings), warnings };
}

/** Parses one skip-list file's text; pure, so tests and `porter list` can use it on any text. */
export function parseSkipFile(text: string, file: string, phase?: string): { entries: SkipEntry[]; warnings: string[]; errors: string[] } {
  const entries: SkipEntry[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  const firstLine = new Map<string, number>();
  splitLines(text).forEach((raw, i) => {
    const parsed = parseSkipLine(raw);
    if (!parsed) return;
    const line = i + 1;
    const where = `${file}:${line}`;
    if (parsed.pattern.startsWith('!')) {
      errors.push(`${where}: "${parsed.pattern}": negated patterns are not supported; list the cases to skip instead`);
      return;
    }
    const earlier = firstLine.get(parsed.pattern);
    if (earlier !== undefined) warnings.push(`${where}: ${parsed.pattern} is already listed at line ${earlier}; remove one of them`);
    else firstLine.set(parsed.pattern, line);
    if (parsed.reason === '') warnings.push(`${where}: ${parsed.pattern} has no reason; add "# <why it is skipped>" after it`);
    const entry: SkipEntry = { pattern: parsed.pattern, reason: parsed.reason, file, line };
    if (phase !== undefined) entry.phase = phase;
    entries.push(entry);
  });
  return { entries, warnings, errors };
}
