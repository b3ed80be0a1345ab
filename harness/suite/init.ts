import fs from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import type { InputRule } from '../config/types.js';
import { caseMatcher, escapeGlob } from '../util/case-glob.js';
import { commonFolder, detectInputRules, type RulePhase } from './init-rules.js';
import { compileRules, InputFileIndex, NOT_INPUTS, resolveByRules } from './input-rules.js';
import { inputNameOf } from './load-suite.js';
import { parseSnapFile } from './snap-file.js';

/**
 * `porter init`: finds a project's insta snapshots and proposes a starting config, with cases
 * grouped into phases by snapshot name in the order a porter would take them. Snapshots whose
 * names embed their input's file name get `input_rules` (see init-rules.ts).
 */

export interface ProposedPhase {
  name: string;
  /** Case-id globs; disjoint from every other proposed phase's. */
  cases: string[];
  /** For generator-named snapshots: the rule that finds their inputs. */
  inputRules?: InputRule[];
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
  rule?: InputRule;
}

/**
 * Groups case ids by what insta put in their names: `<module>__<name>@<input>` by the part before
 * `@`, plain `<module>__<name>` by module. Ids fitting neither go to one `other` phase by id.
 * `rulePhases` (generator-named cases, whose ids are not in `caseIds`) join the same ordering.
 */
export function proposePhases(caseIds: string[], rulePhases: readonly RulePhase[] = []): ProposedPhase[] {
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
  const list: Group[] = [...groups.values(), ...rulePhases.map((p) => ({ glob: p.glob, name: p.name, ids: [...p.ids], rule: p.rule }))];
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
    const phase: ProposedPhase = { name, cases: g.glob ? [g.glob] : g.ids.map(escapeGlob) };
    if (g.rule) phase.inputRules = [g.rule];
    return phase;
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
  /** For a phase with input rules: what the rules make of its cases, as `porter list` will show it. */
  byRule?: RuleOutcome;
}

/** How a phase's input rules resolve its cases. */
interface RuleOutcome {
  mapped: number;
  /** Matched by the rule, but no file: stale snapshots whose input was removed or renamed. */
  missing: string[];
  ambiguous: Array<{ id: string; candidates: string[] }>;
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

  // Snapshots insta did not tie to an input: their names may still embed one.
  const unnamed = ids.filter((id) => inputNameOf(id) === null && inputFileOf.get(id) === undefined);
  const sourceFiles = unnamed.length > 0 ? await listSourceFiles(sourceRoot) : [];
  const rulePhases = detectInputRules(unnamed, sourceFiles);
  const byRule = new Set(rulePhases.flatMap((p) => p.ids));
  const hasInput = (id: string) => inputNameOf(id) !== null || inputFileOf.get(id) !== undefined || byRule.has(id);
  const index = new InputFileIndex(sourceFiles);

  const planned: PlannedPhase[] = [];
  const leftOut: string[] = [];
  for (const phase of proposePhases(ids.filter((id) => !byRule.has(id)), rulePhases)) {
    const m = caseMatcher(phase.cases);
    const members = ids.filter((id) => m(id));
    if (!members.some(hasInput)) {
      leftOut.push(...members);
      continue;
    }
    const inputs = await inferInputs(sourceRoot, members.map((id) => inputFileOf.get(id)));
    const plan: PlannedPhase = { ...phase, count: members.length, inputs, fileHints: await subfolders(sourceRoot, inputs) };
    if (phase.inputRules) plan.byRule = ruleOutcome(members, phase.inputRules, index);
    planned.push(plan);
  }

  const source = sourceSetting(configDir, sourceRoot);
  const yaml = renderConfig(source, globsOf(files), planned, leftOut);
  return { ok: true, yaml, summary: summarize(files.length, planned, leftOut) };
}

/** Every file of the source tree that could be an input: no snapshots, build output or dependencies. */
async function listSourceFiles(sourceRoot: string): Promise<string[]> {
  return fg('**/*', { cwd: sourceRoot, onlyFiles: true, dot: true, ignore: [...NOT_INPUTS, '**/snapshots/**'] });
}

/** Resolves each case as the loader will, so the summary says what `porter list` will show. */
function ruleOutcome(ids: string[], rules: InputRule[], index: InputFileIndex): RuleOutcome {
  const compiled = compileRules(rules);
  const outcome: RuleOutcome = { mapped: 0, missing: [], ambiguous: [] };
  for (const id of ids) {
    const r = resolveByRules(id, compiled, index);
    if (r.kind === 'file') outcome.mapped++;
    else if (r.kind === 'ambiguous') outcome.ambiguous.push({ id, candidates: r.candidates });
    else if (r.kind === 'missing') outcome.missing.push(id);
  }
  return outcome;
}

function summarize(snapshots: number, planned: PlannedPhase[], leftOut: string[]): string {
  const lines = [`found ${snapshots} snapshots; phases in order:`];
  for (const p of planned) {
    const where = p.inputs.length > 0 ? `, inputs in ${p.inputs.join(', ')}` : '';
    const rule = p.byRule ? `, input rule: ${p.byRule.mapped} mapped${p.byRule.missing.length ? `, ${p.byRule.missing.length} without input` : ''}${p.byRule.ambiguous.length ? `, ${p.byRule.ambiguous.length} ambiguous` : ''}` : '';
    lines.push(`  ${p.name}: ${p.count} cases${where}${rule}`);
  }
  const ruled = planned.filter((p) => p.byRule);
  if (ruled.length > 0) {
    const mapped = ruled.reduce((n, p) => n + p.byRule!.mapped, 0);
    const missing = ruled.flatMap((p) => p.byRule!.missing);
    const ambiguous = ruled.flatMap((p) => p.byRule!.ambiguous);
    lines.push(`input_rules (snapshot names that embed their input file's name): ${mapped} cases mapped to an input file, ${missing.length} without input, ${ambiguous.length} ambiguous`);
    if (missing.length > 0) lines.push(`  without input (the rule matches, no file does: stale snapshots?): ${missing.join(', ')}`);
    for (const a of ambiguous) lines.push(`  ambiguous: ${a.id}: ${a.candidates.join(', ')}`);
  }
  if (leftOut.length > 0) lines.push(`left out (no input files): ${leftOut.join(', ')} (${leftOut.length} snapshot${leftOut.length === 1 ? '' : 's'}: input is Rust code)`);
  return lines.join('\n');
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
  const dir = commonFolder(dirs);
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
    ...(phases.some((p) => p.inputRules)
      ? [
          '# `input_rules` find the inputs of snapshots whose names embed the input file\'s name: `match` is a',
          '# regular expression over the case id, `path` a glob (relative to source) where `{group}` is that',
          '# named group\'s text. The groups reach the adapter as the request\'s `params`; rename them freely.',
        ]
      : []),
    'phases:',
  ];
  for (const p of phases) {
    out.push(`  - name: ${p.name}  # ${p.count} cases`);
    out.push('    cases:', ...p.cases.map((c) => `      - ${q(c)}`));
    if (p.inputs.length > 0) out.push('    inputs:', ...p.inputs.map((d) => `      - ${q(d)}`));
    if (p.inputRules) {
      out.push('    input_rules:');
      for (const r of p.inputRules) out.push(`      - match: ${q(r.match)}`, `        path: ${q(r.path)}`);
      const r = p.byRule!;
      if (r.missing.length > 0) out.push(`    # ${r.missing.length} case(s) here have no input file (stale snapshots?): ${r.missing.join(', ')}`);
      for (const a of r.ambiguous) out.push(`    # ambiguous: ${a.id} could be ${a.candidates.join(' or ')}`);
    }
    if (p.fileHints.length > 0) {
      out.push('    # Shared files every case may need (templates that cases include, say)? Uncomment:');
      out.push('    # files:', ...p.fileHints.map((f) => `    #   - ${q(f)}`));
    }
  }
  if (leftOut.length > 0) {
    out.push(`# Left out, ${leftOut.length} snapshot(s): these have no input file (their input is Rust code in the tests):`);
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

/**
 * `source:` as the config should hold it: relative to the config's folder when the two share
 * a folder below the file-system root, else absolute (a path that climbs to / and back down
 * breaks as soon as either folder moves).
 */
function sourceSetting(configDir: string, sourceRoot: string): string {
  const rel = toPosix(path.relative(configDir, sourceRoot)) || '.';
  const ups = rel.split('/').filter((s) => s === '..').length;
  const climbsToRoot = ups > 0 && path.resolve(configDir, ...Array<string>(ups).fill('..')) === path.parse(configDir).root;
  return climbsToRoot ? toPosix(sourceRoot) : rel;
}
