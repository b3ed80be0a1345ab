import fs from 'node:fs';
import path from 'node:path';
import type { PhaseConfig, PorterConfig } from '../config/types.js';
import { caseMatcher } from '../util/case-glob.js';
import { diskFiles } from './disk-files.js';
import picomatch from 'picomatch';
import { compileRules, InputFileIndex, listingGlob, NOT_INPUTS } from './input-rules.js';
import { inputNameOf, readCase, readSnapshotNote, type PhaseRules, type SnapshotNote } from './read-case.js';
import type { SuiteFiles } from './suite-files.js';
import type { Case, PhaseFiles, Suite } from './types.js';

export { inputNameOf };

/**
 * Builds the suite from a config: finds the snapshots, assigns each to its phase, resolves its
 * input (header `input_file` first, then insta's glob naming `<prefix>@<input>` in the phase's
 * input directories, then the phase's `input_rules`; see read-case.ts), and reads the phase files. A case that cannot run keeps a
 * `problem` instead of failing the load; only a suite that cannot be formed at all is `{ ok: false }`.
 */

export interface LoadSuiteOptions {
  /** Load only these phases (all when absent). Assignment is still checked over every phase. */
  phases?: string[];
  /**
   * A phase that matches no snapshot, or no snapshot at all, is not an error. For an older
   * revision of the source (`porter sync`), where a phase the config names today, or the
   * whole suite, may not have existed yet.
   */
  allowEmptyPhases?: boolean;
}

export type LoadSuiteResult = { ok: true; suite: Suite } | { ok: false; message: string };

const STRAY = /(\.snap\.new|\.pending-snap)$/;
const LIST_LIMIT = 20;

/** The suite as it is on disk under `config.source`. */
export async function loadSuite(config: PorterConfig, opts: LoadSuiteOptions = {}): Promise<LoadSuiteResult> {
  const source = config.source;
  if (!(await isDirectory(source))) {
    return fail(`source directory ${source} does not exist; set \`source\` in ${config.configPath} to the project root`);
  }
  return loadSuiteFrom(config, diskFiles(source), opts);
}

/** The suite read from `from` (disk, or a git revision), whose root stands for `config.source`. */
export async function loadSuiteFrom(config: PorterConfig, from: SuiteFiles, opts: LoadSuiteOptions = {}): Promise<LoadSuiteResult> {
  const source = from.root;
  const matched = (await from.find(config.snapshots, { ignoreGit: true })).sort();
  const snapPaths = matched.filter((p) => p.endsWith('.snap'));
  if (snapPaths.length === 0 && opts.allowEmptyPhases) {
    // A revision from before the suite existed: every case of a later one is added.
    return { ok: true, suite: { sourceRoot: source, cases: [], files: {}, unassigned: [], unassignedRustCode: [], warnings: [`no snapshot under ${from.where} yet`] } };
  }
  if (snapPaths.length === 0) {
    return fail(`no .snap file matches \`snapshots\` (${config.snapshots.join(', ')}) under ${from.where}; fix the globs in ${config.configPath}`);
  }

  const pathById = new Map<string, string>();
  for (const rel of snapPaths) {
    const id = rel.slice(rel.lastIndexOf('/') + 1, -'.snap'.length);
    const other = pathById.get(id);
    if (other !== undefined) {
      return fail(`case id ${id} names two snapshots, ${other} and ${rel}; narrow \`snapshots\` in ${config.configPath} so ids are unique`);
    }
    pathById.set(id, rel);
  }

  const assignment = assignPhases([...pathById.keys()], config.phases, config.configPath, opts.allowEmptyPhases === true);
  if (!assignment.ok) return assignment;
  const { phaseOf, unassigned } = assignment;

  let selected = config.phases;
  if (opts.phases) {
    const names = new Set(config.phases.map((p) => p.name));
    const unknown = opts.phases.filter((n) => !names.has(n));
    if (unknown.length > 0) return fail(`unknown phase ${unknown.join(', ')}; phases in ${config.configPath}: ${[...names].join(', ')}`);
    selected = config.phases.filter((p) => opts.phases!.includes(p.name));
  }

  const files: Record<string, PhaseFiles> = {};
  const phaseWarnings: string[] = [];
  for (const phase of selected) {
    const read = await readPhaseFiles(phase, from, config.configPath);
    if (!read.ok) return read;
    files[phase.name] = read.files;
    if (read.warning) phaseWarnings.push(read.warning);
  }

  // Snapshots in path order (the order of their warnings); the unassigned ones are read only for
  // warnings. Plain loops and default sorts: this runs once, cold, over every snapshot.
  const unassignedSet = new Set(unassigned);
  const bucketOf = new Map(selected.map((p, i) => [p.name, i]));
  const buckets = selected.map(() => [] as string[]);
  const wanted: string[] = [];
  for (const id of pathById.keys()) {
    if (unassignedSet.has(id)) {
      wanted.push(id);
      continue;
    }
    const bucket = bucketOf.get(phaseOf.get(id)!);
    if (bucket === undefined) continue;
    wanted.push(id);
    buckets[bucket]!.push(id);
  }
  const rulesOf = await phaseRules(selected, from);
  // Phase order, then id order: the default sort compares UTF-16 code units, as compareIds does.
  const notes = new Map<string, SnapshotNote>();
  const cases: Case[] = [];
  for (const [i, ids] of buckets.entries()) {
    const phase = selected[i]!;
    const rules = rulesOf.get(phase.name);
    for (const id of ids.sort()) {
      const read = readCase(from, id, pathById.get(id)!, phase, rules);
      notes.set(id, read.note);
      cases.push(read.case);
    }
  }
  for (const id of unassigned) notes.set(id, readSnapshotNote(from, pathById.get(id)!));

  const all = wanted.map((id) => notes.get(id)!);
  const warnings = [...all.flatMap((n) => n.parseWarnings), ...all.flatMap((n) => n.caseWarnings), ...phaseWarnings];
  const strays = findStrays(from, snapPaths, matched, all.map((n) => n.source));
  if (strays.length > 0) {
    warnings.push(`ignored ${strays.length} pending insta file(s), not expected results (review them with \`cargo insta review\`): ${listSome(strays)}`);
  }
  const byRule = matchesSomeRule(config.phases);
  const unassignedRustCode = unassigned.filter((id) => !inputNameOf(id) && !notes.get(id)!.inputFile && !byRule(id));
  if (unassigned.length > 0) warnings.push(describeUnassigned(unassigned, unassignedRustCode));
  const legacy = wanted.filter((_, i) => all[i]!.legacy).map((id) => pathById.get(id)!);
  if (legacy.length > 0) {
    warnings.push(`${legacy.length} snapshot(s) in the legacy insta 0.x format (\`cargo insta test --force-update-snapshots --accept\` rewrites them): ${listSome(legacy)}`);
  }

  return { ok: true, suite: { sourceRoot: source, cases, files, unassigned, unassignedRustCode, warnings } };
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function listSome(items: string[]): string {
  const shown = items.slice(0, LIST_LIMIT).join(', ');
  return items.length > LIST_LIMIT ? `${shown}, and ${items.length - LIST_LIMIT} more` : shown;
}

type Assignment = { ok: true; phaseOf: Map<string, string>; unassigned: string[] } | { ok: false; message: string };

function assignPhases(ids: string[], phases: PhaseConfig[], configPath: string, allowEmpty: boolean): Assignment {
  const matchers = phases.map((p) => caseMatcher(p.cases));
  const phaseOf = new Map<string, string>();
  const unassigned: string[] = [];
  const counts = phases.map(() => 0);
  const conflicts: string[] = [];
  // The default sort is compareIds' order (UTF-16 code units), without a call per comparison.
  for (const id of ids.sort()) {
    let first = -1;
    let more: number[] | null = null;
    for (let i = 0; i < matchers.length; i++) {
      if (!matchers[i]!(id)) continue;
      counts[i]!++;
      if (first === -1) first = i;
      else (more ??= [first]).push(i);
    }
    if (first === -1) unassigned.push(id);
    else if (more) conflicts.push(`${id} (${more.map((i) => phases[i]!.name).join(', ')})`);
    else phaseOf.set(id, phases[first]!.name);
  }
  if (conflicts.length > 0) {
    return fail(`${conflicts.length} case(s) match more than one phase: ${listSome(conflicts)}; make the phases' \`cases\` globs disjoint in ${configPath}`);
  }
  const empty = phases.filter((_, i) => counts[i] === 0);
  if (empty.length > 0 && !allowEmpty) {
    const detail = empty.map((p) => `${p.name} (cases: ${p.cases.join(', ')})`).join('; ');
    return fail(`phase ${detail} matches no snapshot; fix its \`cases\` globs in ${configPath}`);
  }
  return { ok: true, phaseOf, unassigned };
}

async function readPhaseFiles(
  phase: PhaseConfig,
  from: SuiteFiles,
  configPath: string,
): Promise<{ ok: true; files: PhaseFiles; warning?: string } | { ok: false; message: string }> {
  if (phase.files.length === 0) return { ok: true, files: {} };
  const rels = (await from.find(phase.files)).sort();
  if (rels.length === 0) {
    return { ok: true, files: {}, warning: `phase ${phase.name}: \`files\` (${phase.files.join(', ')}) matches no file under ${from.where}` };
  }
  const files: PhaseFiles = {};
  const contents = rels.map((rel) => from.read(path.join(from.root, rel), rel));
  for (const [i, rel] of rels.entries()) {
    const read = contents[i]!;
    if (read.kind !== 'text') {
      return fail(`phase ${phase.name}: cannot read ${rel} (matched by \`files\` in ${configPath})${read.kind === 'error' ? `: ${read.message}` : ''}`);
    }
    files[rel] = read.text;
  }
  return { ok: true, files };
}

/**
 * insta leaves `<name>.snap.new` beside the snapshot and `.<test file>.pending-snap` beside the
 * test file; look in the snapshot folders, their parents and the header `source` folders.
 */
function findStrays(files: SuiteFiles, snapPaths: string[], matched: string[], headerSources: Array<string | undefined>): string[] {
  const dirs = new Set<string>();
  // Snapshots share a few folders: work each folder out once, not once per snapshot.
  const folders = new Set<string>();
  for (const rel of snapPaths) {
    const folder = rel.slice(0, rel.lastIndexOf('/') + 1);
    if (folders.has(folder)) continue;
    folders.add(folder);
    const dir = path.posix.dirname(rel);
    dirs.add(dir);
    dirs.add(path.posix.dirname(dir));
  }
  for (const s of new Set(headerSources)) if (s) dirs.add(path.posix.dirname(s));
  const found = new Set(matched.filter((p) => STRAY.test(p)));
  // Listed synchronously: a snapshot folder can hold 10,000 names, and an asynchronous listing
  // of it left the main thread idle for tens of milliseconds with nothing else to do.
  for (const dir of dirs) {
    const names = files.list(dir);
    if (names === null) continue;
    for (const n of names) if (STRAY.test(n)) found.add(dir === '.' ? n : `${dir}/${n}`);
  }
  return [...found].sort(compareIds);
}

/** Each phase's compiled input rules, with one listing of the files any of them may name. */
async function phaseRules(phases: PhaseConfig[], from: SuiteFiles): Promise<Map<string, PhaseRules>> {
  const withRules = phases.filter((p) => p.inputRules?.length);
  const out = new Map<string, PhaseRules>();
  if (withRules.length === 0) return out;
  const globs = [...new Set(withRules.flatMap((p) => p.inputRules!.map((r) => listingGlob(r.path))))];
  const notInputs = picomatch(NOT_INPUTS, { dot: true });
  const files = new InputFileIndex((await from.find(globs, { ignoreGit: true })).filter((f) => !notInputs(f)));
  for (const p of withRules) out.set(p.name, { rules: compileRules(p.inputRules!), files });
  return out;
}

/** Whether any phase's input rule matches the id: an unassigned snapshot with an input, then. */
function matchesSomeRule(phases: PhaseConfig[]): (id: string) => boolean {
  const regexes = phases.flatMap((p) => compileRules(p.inputRules ?? []).map((r) => r.regex));
  return (id) => regexes.some((re) => re.test(id));
}

function describeUnassigned(unassigned: string[], noInput: string[]): string {
  const rust = new Set(noInput);
  const withInput = unassigned.filter((id) => !rust.has(id));
  const parts = [`${unassigned.length} snapshot(s) match no phase and are not run`];
  if (noInput.length > 0) parts.push(`without input files (input is Rust code): ${listSome(noInput)}`);
  if (withInput.length > 0) parts.push(`with input files (add them to a phase's \`cases\`): ${listSome(withInput)}`);
  return parts.join('; ');
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(p)).isDirectory();
  } catch {
    return false;
  }
}
