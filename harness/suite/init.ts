import fs from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { caseMatcher, escapeGlob } from '../util/case-glob.js';
import { inputNameOf } from './load-suite.js';
import { parseSnapFile } from './snap-file.js';

/**
 * `porter init`: finds a project's insta snapshots and proposes a starting config, with cases
 * grouped into phases by snapshot name in the order a porter would take them.
 */

export interface ProposedPhase {
  name: string;
  /** Case-id globs; disjoint from every other proposed phase's. */
  cases: string[];
}

const IGNORED_DIRS = ['**/node_modules/**', '**/target/**', '**/.git/**'];

/** Order of work: lexing, then parsing, then compiling, then running, then anything else. */
const STAGES: RegExp[] = [
  /^(lex|token|scan)/,
  /^(pars|ast$|syntax|grammar)/,
  /^(compil|codegen|bytecode|lower|resolv|typeck|typecheck|check)/,
  /^(vm$|runtime|eval|interp|render|template|exec|run)/,
];

/** Matched word by word, so that `ast` does not hide in `broadcast`. */
function stageOf(name: string): number {
  const words = name.toLowerCase().split(/[^a-z0-9]+/);
  const i = STAGES.findIndex((re) => words.some((w) => re.test(w)));
  return i === -1 ? STAGES.length : i;
}

interface Group {
  /** `prefix@*` for glob-named snapshots, `module__*` for plain ones, or null for loose names. */
  glob: string | null;
  name: string;
  ids: string[];
}

/**
 * Groups case ids by what insta put in their names: `<module>__<name>@<input>` by the part before
 * `@`, plain `<module>__<name>` by module. Ids fitting neither go to one `other` phase by id.
 */
export function proposePhases(caseIds: string[]): ProposedPhase[] {
  const groups = new Map<string, Group>();
  const loose: string[] = [];
  for (const id of [...new Set(caseIds)].sort()) {
    const at = id.indexOf('@');
    let key: string;
    let name: string;
    if (at > 0) {
      key = `${id.slice(0, at)}@`;
      name = id.slice(0, at).split('__').pop()!;
    } else if (id.lastIndexOf('__') > 0) {
      key = `${id.slice(0, id.lastIndexOf('__'))}__`;
      name = key.slice(0, -2).split('__').pop()!.replace(/^test_/, '');
    } else {
      loose.push(id);
      continue;
    }
    const g = groups.get(key) ?? { glob: `${escapeGlob(key)}*`, name, ids: [] };
    g.ids.push(id);
    groups.set(key, g);
  }
  const list = [...groups.values()];
  if (loose.length > 0) list.push({ glob: null, name: 'other', ids: loose });

  // A module glob such as `test_x__*` could also catch `test_x__y@z`; list ids where it would.
  for (const g of list) {
    if (!g.glob) continue;
    const m = caseMatcher(g.glob);
    if (list.some((o) => o !== g && o.ids.some((id) => m(id)))) g.glob = null;
  }

  list.sort((a, b) => stageOf(a.name) - stageOf(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const used = new Set<string>();
  return list.map((g) => {
    const base = phaseName(g.name);
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return { name, cases: g.glob ? [g.glob] : g.ids.map(escapeGlob) };
  });
}

function phaseName(raw: string): string {
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return name === '' ? 'phase' : name;
}

async function findSnapshotFiles(sourceRoot: string): Promise<string[]> {
  const files = await fg('**/snapshots/*.snap', { cwd: sourceRoot, onlyFiles: true, ignore: IGNORED_DIRS });
  return files.sort();
}

/** One `<dir>/*.snap` glob per `snapshots` folder under the source root. */
export async function discoverSnapshotGlobs(sourceRoot: string): Promise<string[]> {
  return globsOf(await findSnapshotFiles(sourceRoot));
}

function globsOf(files: string[]): string[] {
  return [...new Set(files.map((f) => `${path.posix.dirname(f)}/*.snap`))].sort();
}

export type InitResult = { ok: true; yaml: string; summary: string } | { ok: false; message: string };

interface PlannedPhase extends ProposedPhase {
  count: number;
  inputs: string[];
  /** Subfolders of the input folder: likely shared files (templates that others include). */
  fileHints: string[];
}

/** The text of a starting `porter.config.yaml` for the project at `sourceRoot`, to be written in `configDir`. */
export async function buildInitConfig(sourceRoot: string, configDir: string): Promise<InitResult> {
  const files = await findSnapshotFiles(sourceRoot);
  if (files.length === 0) {
    return { ok: false, message: `no insta snapshots (**/snapshots/*.snap) under ${sourceRoot}; pass --source with the root of the Rust project` };
  }
  const inputFileOf = new Map<string, string | undefined>();
  await Promise.all(
    files.map(async (rel) => {
      const text = await fs.readFile(path.join(sourceRoot, rel), 'utf8').catch(() => '');
      const parsed = parseSnapFile(text, rel);
      inputFileOf.set(idOf(rel), parsed.ok ? parsed.snapshot.header.input_file : undefined);
    }),
  );
  const ids = files.map(idOf);
  const hasInput = (id: string) => inputNameOf(id) !== null || inputFileOf.get(id) !== undefined;

  const planned: PlannedPhase[] = [];
  const leftOut: string[] = [];
  for (const phase of proposePhases(ids)) {
    const m = caseMatcher(phase.cases);
    const members = ids.filter((id) => m(id));
    if (!members.some(hasInput)) {
      leftOut.push(...members);
      continue;
    }
    const inputs = await inferInputs(sourceRoot, members.map((id) => inputFileOf.get(id)));
    planned.push({ ...phase, count: members.length, inputs, fileHints: await subfolders(sourceRoot, inputs) });
  }

  const source = toPosix(path.relative(configDir, sourceRoot)) || '.';
  const yaml = renderConfig(source, globsOf(files), planned, leftOut);
  const lines = [`found ${files.length} snapshots; phases in order:`];
  for (const p of planned) lines.push(`  ${p.name}: ${p.count} cases${p.inputs.length > 0 ? `, inputs in ${p.inputs.join(', ')}` : ''}`);
  if (leftOut.length > 0) lines.push(`left out (no input files): ${leftOut.join(', ')}`);
  return { ok: true, yaml, summary: lines.join('\n') };
}

function idOf(rel: string): string {
  return path.posix.basename(rel).slice(0, -'.snap'.length);
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** The folder common to the phase's `input_file` headers, when it exists under the source root. */
async function inferInputs(sourceRoot: string, inputFiles: Array<string | undefined>): Promise<string[]> {
  const dirs = inputFiles.filter((f): f is string => f !== undefined).map((f) => path.posix.dirname(f));
  if (dirs.length === 0) return [];
  let common = dirs[0]!.split('/');
  for (const d of dirs.slice(1)) {
    const parts = d.split('/');
    let n = 0;
    while (n < common.length && n < parts.length && common[n] === parts[n]) n++;
    common = common.slice(0, n);
  }
  const dir = common.join('/');
  if (dir === '' || dir === '.') return [];
  const stat = await fs.stat(path.join(sourceRoot, dir)).catch(() => null);
  return stat?.isDirectory() ? [dir] : [];
}

async function subfolders(sourceRoot: string, dirs: string[]): Promise<string[]> {
  const hints: string[] = [];
  for (const dir of dirs) {
    const entries = await fs.readdir(path.join(sourceRoot, dir), { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) hints.push(`${dir}/${e.name}/*`);
  }
  return hints.sort();
}

function q(s: string): string {
  return JSON.stringify(s);
}

function renderConfig(source: string, snapshotGlobs: string[], phases: PlannedPhase[], leftOut: string[]): string {
  const out: string[] = [
    '# Porter configuration, written by `porter init`. Review it, then set target.command.',
    '',
    '# Root of the source project (the Rust workspace), relative to this file.',
    `source: ${q(source)}`,
    '',
    '# Where the insta snapshots are, relative to source. A case id is a snapshot file name without `.snap`.',
    'snapshots:',
    ...snapshotGlobs.map((g) => `  - ${q(g)}`),
    '',
    '# Phases in the order to port them. `cases` are globs over case ids; `inputs` are folders (relative',
    '# to source) where the input of a snapshot without an `input_file` header is found by its `@<name>`;',
    '# `files` are globs (relative to source) of extra files sent with every case of the phase.',
    'phases:',
  ];
  for (const p of phases) {
    out.push(`  - name: ${p.name}  # ${p.count} cases`);
    out.push('    cases:', ...p.cases.map((c) => `      - ${q(c)}`));
    if (p.inputs.length > 0) out.push('    inputs:', ...p.inputs.map((d) => `      - ${q(d)}`));
    if (p.fileHints.length > 0) {
      out.push('    # Shared files every case may need (templates that cases include, say)? Uncomment:');
      out.push('    # files:', ...p.fileHints.map((f) => `    #   - ${q(f)}`));
    }
  }
  if (leftOut.length > 0) {
    out.push('# Left out: these snapshots have no input file (their input is Rust code in the tests):');
    for (const id of leftOut) out.push(`#   ${id}`);
  }
  out.push(
    '',
    '# The port under test. `command` starts your adapter (see the README for the protocol).',
    'target:',
    `  command: ${q('REPLACE: command that starts your adapter')}`,
    '  protocol: stdio  # stdio: long-lived workers, one JSON line per case; exec: one process per case',
    '  workers: 2',
    '  timeout: 10s',
    '',
    '# Failing cases parked with a reason: skiplist/<phase>.txt.',
    'skiplist: skiplist',
    '# Intentional divergences: overrides/<case id>, each with a reason.',
    'overrides: overrides',
    '# Case-id globs that must always match exactly (never skipped, fuzzy-matched or overridden).',
    'protected: []',
    '',
  );
  return out.join('\n');
}
