import fs from 'node:fs';
import path from 'node:path';
import type { PhaseConfig, PorterConfig } from '../config/types.js';
import { caseMatcher } from '../util/case-glob.js';
import { findFiles } from '../util/find-files.js';
import { parseInputFile } from './input-file.js';
import { parseSnapFile } from './snap-file.js';
import type { Case, InputFile, PhaseFiles, Snapshot, Suite } from './types.js';

/**
 * Builds the suite from a config: finds the snapshots, assigns each to its phase, resolves its
 * input (header `input_file` first, then insta's glob naming `<prefix>@<input>` in the phase's
 * input directories), and reads the phase files. A case that cannot run keeps a `problem`
 * instead of failing the load; only a suite that cannot be formed at all is `{ ok: false }`.
 */

export interface LoadSuiteOptions {
  /** Load only these phases (all when absent). Assignment is still checked over every phase. */
  phases?: string[];
}

export type LoadSuiteResult = { ok: true; suite: Suite } | { ok: false; message: string };

const STRAY = /(\.snap\.new|\.pending-snap)$/;
const LIST_LIMIT = 20;

export async function loadSuite(config: PorterConfig, opts: LoadSuiteOptions = {}): Promise<LoadSuiteResult> {
  const source = config.source;
  if (!(await isDirectory(source))) {
    return fail(`source directory ${source} does not exist; set \`source\` in ${config.configPath} to the project root`);
  }
  const matched = (await findFiles(config.snapshots, { cwd: source, ignore: ['**/.git/**'] })).sort();
  const snapPaths = matched.filter((p) => p.endsWith('.snap'));
  if (snapPaths.length === 0) {
    return fail(`no .snap file matches \`snapshots\` (${config.snapshots.join(', ')}) under ${source}; fix the globs in ${config.configPath}`);
  }

  const pathById = new Map<string, string>();
  for (const rel of snapPaths) {
    const id = path.posix.basename(rel).slice(0, -'.snap'.length);
    const other = pathById.get(id);
    if (other !== undefined) {
      return fail(`case id ${id} names two snapshots, ${other} and ${rel}; narrow \`snapshots\` in ${config.configPath} so ids are unique`);
    }
    pathById.set(id, rel);
  }

  const assignment = assignPhases([...pathById.keys()], config.phases, config.configPath);
  if (!assignment.ok) return assignment;
  const { phaseOf, unassigned } = assignment;

  let selected = config.phases;
  if (opts.phases) {
    const names = new Set(config.phases.map((p) => p.name));
    const unknown = opts.phases.filter((n) => !names.has(n));
    if (unknown.length > 0) return fail(`unknown phase ${unknown.join(', ')}; phases in ${config.configPath}: ${[...names].join(', ')}`);
    selected = config.phases.filter((p) => opts.phases!.includes(p.name));
  }
  const selectedByName = new Map(selected.map((p) => [p.name, p]));

  const unassignedSet = new Set(unassigned);
  const wanted = [...pathById.keys()].filter((id) => unassignedSet.has(id) || selectedByName.has(phaseOf.get(id)!));
  const loaded = wanted.map((id) => readSnapshot(source, pathById.get(id)!));
  const snapshots = new Map(wanted.map((id, i) => [id, loaded[i]!]));
  const caseIds = wanted.filter((id) => !unassignedSet.has(id));
  const built = caseIds.map((id) => buildCase(id, selectedByName.get(phaseOf.get(id)!)!, snapshots.get(id)!, source));
  const warnings = [...loaded.flatMap((l) => l.warnings), ...built.flatMap((b) => b.warnings)];
  const cases = built.map((b) => b.case);
  const order = new Map(selected.map((p, i) => [p.name, i]));
  cases.sort((a, b) => order.get(a.phase)! - order.get(b.phase)! || compareIds(a.id, b.id));

  const files: Record<string, PhaseFiles> = {};
  for (const phase of selected) {
    const read = await readPhaseFiles(phase, source, config.configPath);
    if (!read.ok) return read;
    files[phase.name] = read.files;
    if (read.warning) warnings.push(read.warning);
  }

  const strays = await findStrays(source, snapPaths, matched, [...snapshots.values()].map((s) => s.snapshot));
  if (strays.length > 0) {
    warnings.push(`ignored ${strays.length} pending insta file(s), not expected results (review them with \`cargo insta review\`): ${listSome(strays)}`);
  }
  if (unassigned.length > 0) warnings.push(describeUnassigned(unassigned, snapshots));
  const legacy = loaded.filter((l) => l.snapshot.legacy).map((l) => l.snapshot.path);
  if (legacy.length > 0) {
    warnings.push(`${legacy.length} snapshot(s) in the legacy insta 0.x format (\`cargo insta test --force-update-snapshots --accept\` rewrites them): ${listSome(legacy)}`);
  }

  return { ok: true, suite: { sourceRoot: source, cases, files, unassigned, warnings } };
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

function assignPhases(ids: string[], phases: PhaseConfig[], configPath: string): Assignment {
  const matchers = phases.map((p) => caseMatcher(p.cases));
  const phaseOf = new Map<string, string>();
  const unassigned: string[] = [];
  const counts = phases.map(() => 0);
  const conflicts: string[] = [];
  for (const id of ids.sort(compareIds)) {
    const hits = phases.flatMap((p, i) => (matchers[i]!(id) ? [i] : []));
    for (const i of hits) counts[i]!++;
    if (hits.length === 0) unassigned.push(id);
    else if (hits.length > 1) conflicts.push(`${id} (${hits.map((i) => phases[i]!.name).join(', ')})`);
    else phaseOf.set(id, phases[hits[0]!]!.name);
  }
  if (conflicts.length > 0) {
    return fail(`${conflicts.length} case(s) match more than one phase: ${listSome(conflicts)}; make the phases' \`cases\` globs disjoint in ${configPath}`);
  }
  const empty = phases.filter((_, i) => counts[i] === 0);
  if (empty.length > 0) {
    const detail = empty.map((p) => `${p.name} (cases: ${p.cases.join(', ')})`).join('; ');
    return fail(`phase ${detail} matches no snapshot; fix its \`cases\` globs in ${configPath}`);
  }
  return { ok: true, phaseOf, unassigned };
}

function readSnapshot(source: string, rel: string): { snapshot: Snapshot; problem?: string; warnings: string[] } {
  const placeholder: Snapshot = { path: rel, header: { extra: {} }, kind: 'text', body: '', legacy: false };
  let text: string;
  try {
    text = readFileText(path.join(source, rel));
  } catch (e) {
    return { snapshot: placeholder, problem: `cannot read snapshot ${rel}: ${(e as NodeJS.ErrnoException).code ?? e}`, warnings: [] };
  }
  const parsed = parseSnapFile(text, rel);
  if (!parsed.ok) return { snapshot: placeholder, problem: parsed.message, warnings: [] };
  return { snapshot: parsed.snapshot, warnings: parsed.warnings };
}

type ReadOutcome = { kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'error'; message: string };

function readText(abs: string): ReadOutcome {
  try {
    return { kind: 'text', text: readFileText(abs) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return { kind: 'missing' };
    return { kind: 'error', message: `cannot read ${abs}: ${code ?? e}` };
  }
}

/**
 * Synchronous on purpose: for hundreds of small files, measured on a 2-core machine, blocking
 * reads took 60-90 ms where concurrent callback reads took 125-230 ms and `fs/promises` 430-650 ms
 * (each async read is four thread-pool round trips). The load runs once, before any case.
 */
function readFileText(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** `test_templates__vm@sub__file.txt` → `sub__file.txt` (insta writes `/` of the match path as `__`). */
export function inputNameOf(id: string): string | null {
  const at = id.indexOf('@');
  return at === -1 || at === id.length - 1 ? null : id.slice(at + 1);
}

interface CaseBuild {
  case: Case;
  warnings: string[];
}

function buildCase(
  id: string,
  phase: PhaseConfig,
  loaded: { snapshot: Snapshot; problem?: string },
  source: string,
): CaseBuild {
  const base: Case = { id, phase: phase.name, snapshot: loaded.snapshot, input: null };
  const problem = (message: string): CaseBuild => ({ case: { ...base, problem: message }, warnings: [] });
  if (loaded.problem) return problem(loaded.problem);
  const snap = loaded.snapshot;
  if (snap.kind === 'binary') {
    const ext = snap.header.extension ? `, data in .snap.${snap.header.extension}` : '';
    return problem(`binary snapshots are unsupported (${snap.path}${ext}); leave this case out of the phases`);
  }

  const headerFile = snap.header.input_file;
  if (headerFile) {
    const abs = path.resolve(source, headerFile);
    const read = readText(abs);
    if (read.kind === 'error') return problem(read.message);
    if (read.kind === 'text') return { case: withInput(base, read.text, toPosix(path.relative(source, abs)), 'input_file'), warnings: [] };
  }

  const name = inputNameOf(id);
  const tried: string[] = [];
  if (name) {
    const names = name.includes('__') ? [name.replaceAll('__', '/'), name] : [name];
    for (const dir of phase.inputs) {
      for (const n of names) {
        const abs = path.join(dir, n);
        const rel = toPosix(path.relative(source, abs));
        tried.push(rel);
        const read = readText(abs);
        if (read.kind === 'missing') continue;
        if (read.kind === 'error') return problem(read.message);
        const warnings = headerFile
          ? [`${snap.path}: stale header: input_file ${headerFile} does not exist; using ${rel}, found by the snapshot's name`]
          : [];
        return { case: withInput(base, read.text, rel, 'glob-name'), warnings };
      }
    }
  }

  if (headerFile) {
    const also = tried.length > 0 ? ` nor ${tried.join(', ')}` : '';
    return problem(`input file not found: neither header input_file ${headerFile}${also} exists under ${source}; check \`source\` and phase ${phase.name}'s \`inputs\``);
  }
  if (!name) {
    return problem(`no input: ${snap.path} has no input_file header and its name has no @<input> part (its input is likely Rust code); leave it out of the phases`);
  }
  if (phase.inputs.length === 0) {
    return problem(`input file not found: no input_file header, and phase ${phase.name} has no \`inputs\` directories to look up ${name} in`);
  }
  return problem(`input file not found: no input_file header and none of ${tried.join(', ')} exists; check phase ${phase.name}'s \`inputs\``);
}

function withInput(base: Case, text: string, rel: string, via: 'input_file' | 'glob-name'): Case {
  const parsed = parseInputFile(text, rel);
  if (!parsed.ok) return { ...base, inputVia: via, problem: parsed.message };
  const input: InputFile = parsed.input;
  return { ...base, input, inputVia: via };
}

async function readPhaseFiles(
  phase: PhaseConfig,
  source: string,
  configPath: string,
): Promise<{ ok: true; files: PhaseFiles; warning?: string } | { ok: false; message: string }> {
  if (phase.files.length === 0) return { ok: true, files: {} };
  const rels = (await findFiles(phase.files, { cwd: source })).sort();
  if (rels.length === 0) {
    return { ok: true, files: {}, warning: `phase ${phase.name}: \`files\` (${phase.files.join(', ')}) matches no file under ${source}` };
  }
  const files: PhaseFiles = {};
  const contents = rels.map((rel) => readText(path.join(source, rel)));
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
async function findStrays(source: string, snapPaths: string[], matched: string[], snapshots: Snapshot[]): Promise<string[]> {
  const dirs = new Set<string>();
  for (const rel of snapPaths) {
    const dir = path.posix.dirname(rel);
    dirs.add(dir);
    dirs.add(path.posix.dirname(dir));
  }
  for (const s of snapshots) if (s.header.source) dirs.add(path.posix.dirname(s.header.source));
  const found = new Set(matched.filter((p) => STRAY.test(p)));
  await Promise.all(
    [...dirs].map(async (dir) => {
      let names: string[];
      try {
        names = await fs.promises.readdir(path.join(source, dir));
      } catch {
        return;
      }
      for (const n of names) if (STRAY.test(n)) found.add(dir === '.' ? n : `${dir}/${n}`);
    }),
  );
  return [...found].sort(compareIds);
}

function describeUnassigned(unassigned: string[], snapshots: Map<string, { snapshot: Snapshot }>): string {
  const noInput = unassigned.filter((id) => !inputNameOf(id) && !snapshots.get(id)?.snapshot.header.input_file);
  const withInput = unassigned.filter((id) => !noInput.includes(id));
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
