import path from 'node:path';
import type { PhaseConfig } from '../config/types.js';
import { parseInputFile } from './input-file.js';
import { resolveByRules, type CompiledRule, type InputFileIndex } from './input-rules.js';
import { parseSnapFile } from './snap-file.js';
import type { SuiteFiles } from './suite-files.js';
import type { Case, InputVia, Snapshot } from './types.js';

/**
 * Reading one case: its snapshot, then its input (header `input_file` first, then insta's glob
 * naming `<prefix>@<input>` in the phase's input directories, then the phase's `input_rules`).
 * A case that cannot run gets a `problem`. Apart from the suite's planning (globs, phases): this
 * is the per-file work.
 */

/** What the suite's warnings need from a snapshot once it is read. */
export interface SnapshotNote {
  parseWarnings: readonly string[];
  /** The input resolution's warnings (a stale header); none for an unassigned snapshot. */
  caseWarnings: readonly string[];
  legacy: boolean;
  source: string | undefined;
  inputFile: string | undefined;
}

/** One case read: the `Case` for the runner, and what the suite's warnings need from it. */
export interface ReadCase {
  case: Case;
  note: SnapshotNote;
}

/** A phase's compiled `input_rules` and the files they may name. */
export interface PhaseRules {
  rules: readonly CompiledRule[];
  files: InputFileIndex;
}

export function readCase(files: SuiteFiles, id: string, rel: string, phase: Pick<PhaseConfig, 'name' | 'inputs'>, rules?: PhaseRules): ReadCase {
  const loaded = readSnapshot(files, rel);
  const built = buildCase(id, phase, loaded, files, rules);
  return { case: built.case, note: noteOf(loaded, built.warnings) };
}

/** An unassigned snapshot, read only for the suite's warnings. */
export function readSnapshotNote(files: SuiteFiles, rel: string): SnapshotNote {
  return noteOf(readSnapshot(files, rel), NO_WARNINGS);
}

const NO_WARNINGS: readonly string[] = [];

function noteOf(loaded: { snapshot: Snapshot; warnings: string[] }, caseWarnings: readonly string[]): SnapshotNote {
  const header = loaded.snapshot.header;
  return { parseWarnings: loaded.warnings, caseWarnings, legacy: loaded.snapshot.legacy, source: header.source, inputFile: header.input_file };
}

function readSnapshot(files: SuiteFiles, rel: string): { snapshot: Snapshot; problem?: string; warnings: string[] } {
  const placeholder: Snapshot = { path: rel, header: { extra: {} }, kind: 'text', body: '', legacy: false };
  const read = files.read(`${files.root}/${rel}`, rel);
  if (read.kind !== 'text') {
    const why = read.kind === 'error' ? read.message : `it is gone from ${files.where}`;
    return { snapshot: placeholder, problem: `cannot read snapshot ${rel}: ${why}`, warnings: [] };
  }
  const parsed = parseSnapFile(read.text, rel);
  if (!parsed.ok) return { snapshot: placeholder, problem: parsed.message, warnings: [] };
  return { snapshot: parsed.snapshot, warnings: parsed.warnings };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * `file` (relative, from a header or a snapshot's name) under `folder`: its absolute path, and
 * its path relative to `source` with `/`. A plain relative path (no empty, `.` or `..` segment)
 * under a normalised folder inside `source` needs no path arithmetic — that shortcut gives what
 * `path.resolve` and `path.relative` give, for a fraction of their allocations per case.
 */
export function locate(source: string, folder: string, file: string, how: 'resolve' | 'join'): { abs: string; rel: string } {
  if (path.sep === '/' && !UNPLAIN.test(file)) {
    const inside = relativeFolder(source, folder);
    if (inside !== null) return { abs: folder === '/' ? `/${file}` : `${folder}/${file}`, rel: inside === '' ? file : `${inside}/${file}` };
  }
  const abs = how === 'resolve' ? path.resolve(folder, file) : path.join(folder, file);
  return { abs, rel: toPosix(path.relative(source, abs)) };
}

/** Empty, absolute, or with an empty, `.` or `..` segment. */
const UNPLAIN = /^$|^\/|\/$|\/\/|(?:^|\/)\.\.?(?:\/|$)/;
const folders = new Map<string, string | null>();

/** `folder` relative to `source` when both are normalised absolute paths and `folder` is inside `source`; else null. */
function relativeFolder(source: string, folder: string): string | null {
  // Nearly every call asks about the same pair as the last one; a map key would be built each time.
  if (source === last.source && folder === last.folder) return last.inside;
  const key = `${source}\0${folder}`;
  let inside = folders.get(key);
  if (inside === undefined) {
    const normal = (p: string) => path.isAbsolute(p) && path.normalize(p) === p && (p === '/' || !p.endsWith('/'));
    const rel = normal(source) && normal(folder) ? path.relative(source, folder) : '..';
    inside = rel === '..' || rel.startsWith('../') || path.isAbsolute(rel) ? null : rel;
    folders.set(key, inside);
  }
  last = { source, folder, inside };
  return inside;
}

let last: { source?: string; folder?: string; inside: string | null } = { inside: null };

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
  phase: Pick<PhaseConfig, 'name' | 'inputs'>,
  loaded: { snapshot: Snapshot; problem?: string },
  files: SuiteFiles,
  rules: PhaseRules | undefined,
): CaseBuild {
  const source = files.root;
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
    const { abs, rel } = locate(source, source, headerFile, 'resolve');
    const read = files.read(abs, rel);
    if (read.kind === 'error') return problem(read.message);
    if (read.kind === 'text') return { case: withInput(base, read.text, rel, { inputVia: 'input_file' }), warnings: [] };
  }

  const name = inputNameOf(id);
  const tried: string[] = [];
  if (name) {
    const names = name.includes('__') ? [name.replaceAll('__', '/'), name] : [name];
    for (const dir of phase.inputs) {
      for (const n of names) {
        const { abs, rel } = locate(source, dir, n, 'join');
        tried.push(rel);
        const read = files.read(abs, rel);
        if (read.kind === 'missing') continue;
        if (read.kind === 'error') return problem(read.message);
        const warnings = headerFile
          ? [`${snap.path}: stale header: input_file ${headerFile} does not exist; using ${rel}, found by the snapshot's name`]
          : [];
        return { case: withInput(base, read.text, rel, { inputVia: 'glob-name' }), warnings };
      }
    }
  }

  if (headerFile) {
    const also = tried.length > 0 ? ` nor ${tried.join(', ')}` : '';
    return problem(`input file not found: neither header input_file ${headerFile}${also} exists under ${files.where}; check \`source\` and phase ${phase.name}'s \`inputs\``);
  }
  if (rules && rules.rules.length > 0) {
    const byRule = byInputRule(id, phase.name, rules, files, base);
    if (byRule) return { case: byRule, warnings: [] };
  }
  if (!name) {
    const noRule = rules?.rules.length ? ' and no input rule matches it' : '';
    const message = `no input: ${snap.path} has no input_file header and its name has no @<input> part${noRule} (its input is likely Rust code); leave it out of the phases`;
    return { case: { ...base, rustCode: true, problem: message }, warnings: [] };
  }
  if (phase.inputs.length === 0) {
    return problem(`input file not found: no input_file header, and phase ${phase.name} has no \`inputs\` directories to look up ${name} in`);
  }
  return problem(`input file not found: no input_file header and none of ${tried.join(', ')} exists; check phase ${phase.name}'s \`inputs\``);
}

/** The case as the phase's input rules resolve it, or null when no rule matches its id. */
function byInputRule(id: string, phase: string, rules: PhaseRules, files: SuiteFiles, base: Case): Case | null {
  const r = resolveByRules(id, rules.rules, rules.files);
  if (r.kind === 'none') return null;
  if (r.kind === 'file') {
    const { abs, rel } = locate(files.root, files.root, r.path, 'join');
    const read = files.read(abs, rel);
    const found = { inputVia: 'rule', inputRule: r.rule, params: r.params } as const;
    if (read.kind === 'text') return withInput(base, read.text, rel, found);
    return { ...base, ...found, problem: read.kind === 'error' ? read.message : `input file ${r.path} vanished while the suite was read` };
  }
  if (r.kind === 'ambiguous') {
    const shown = r.candidates.length > 10 ? `${r.candidates.slice(0, 10).join(', ')}, and ${r.candidates.length - 10} more` : r.candidates.join(', ');
    return {
      ...base,
      inputRule: r.rule,
      params: r.params,
      problem: `ambiguous input: phase ${phase}'s input rule ${r.rule} finds ${r.candidates.length} files for ${r.glob}: ${shown}; narrow the rule's path (a later rule does not take over)`,
    };
  }
  const globs = r.tried.map((t) => `rule ${t.rule}: ${t.glob}`).join('; ');
  return {
    ...base,
    params: r.params,
    problem: `input file not found: phase ${phase}'s input rules match the id but find no file (${globs}) under ${files.where}; a stale snapshot whose input was removed or renamed?`,
  };
}

function withInput(base: Case, text: string, rel: string, found: { inputVia: InputVia; inputRule?: number; params?: Record<string, string> }): Case {
  const parsed = parseInputFile(text, rel);
  if (!parsed.ok) return { ...base, ...found, problem: parsed.message };
  return { ...base, ...found, input: parsed.input };
}
