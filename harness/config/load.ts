import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { readCommand } from './command.js';
import { DURATION_HINT, parseDuration } from './duration.js';
import { readInputRules } from './input-rule.js';
import { child, isMapping, level, mapping, oneOf, present, Problems, show, string, stringList, type Mapping } from './fields.js';
import { parseSize, SIZE_HINT } from './size.js';
import { DEFAULT_KEEP_RUNS, type CompareConfig, type MatchLevel, type NormalizeRule, type PhaseConfig, type PorterConfig, type TargetConfig } from './types.js';

export type LoadResult = { ok: true; config: PorterConfig; warnings: string[] } | { ok: false; message: string };

export interface ValidateOptions {
  /** CPUs to size the default worker pool by; the machine's when absent. */
  cpus?: number;
}

const TOP_KEYS = ['source', 'snapshots', 'phases', 'target', 'compare', 'skiplist', 'overrides', 'protected', 'agent', 'reports'];
const PHASE_KEYS = ['name', 'cases', 'inputs', 'files', 'input_rules', 'level'];
const TARGET_KEYS = ['command', 'protocol', 'workers', 'timeout', 'cwd', 'max_output'];
const COMPARE_KEYS = ['level', 'error_markers', 'similarity', 'normalize', 'cases'];
const NORMALIZE_KEYS = ['pattern', 'replacement'];
const REPORTS_KEYS = ['dir', 'keep_runs'];

export const DEFAULT_ERROR_MARKERS = ['!!!ERROR!!!', '!!!SYNTAX ERROR!!!'];
const DEFAULT_LEVEL: MatchLevel = 'kind+line+message';
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_OUTPUT = 1024 * 1024;
const DEFAULT_SIMILARITY = 0.6;

// A phase names `skiplist/<phase>.txt` and report files, so it must be a plain file name.
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Reads, parses and validates `porter.config.yaml`, then checks that the folders it names
 * exist. `configPath` is shown in messages as given.
 */
export async function loadConfig(configPath: string, options: ValidateOptions = {}): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return { ok: false, message: `${configPath}: not found; run "porter init" to write a starting config, or pass --config FILE` };
    }
    if (code === 'EISDIR') return { ok: false, message: `${configPath} is a folder; pass --config with the config file itself` };
    return { ok: false, message: `${configPath}: cannot read the config (${code ?? String(e)})` };
  }
  const parsed = parseConfigYaml(text, configPath);
  if (!parsed.ok) return parsed;
  const result = validateConfig(parsed.raw, configPath, options);
  if (!result.ok) return result;

  const missing = await missingFolders(result.config, configPath);
  if (missing.length > 0) return { ok: false, message: missing.join('\n') };
  const reportsDir = result.config.reports.dir;
  if ((await stat(reportsDir).catch(() => null))?.isDirectory() === false) {
    return { ok: false, message: `${configPath}: reports.dir: ${reportsDir} is a file; give a folder for the history and the reports` };
  }
  return { ok: true, config: result.config, warnings: [...parsed.warnings, ...result.warnings, ...(await absentPaths(parsed.raw, result.config))] };
}

/** YAML (core schema, so `2019-01-01` stays a string) to a plain tree; errors as `file:line:col: message`. */
export function parseConfigYaml(text: string, file: string): { ok: true; raw: unknown; warnings: string[] } | { ok: false; message: string } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { schema: 'core', prettyErrors: false, lineCounter });
  const where = (pos: readonly number[]) => {
    const { line, col } = lineCounter.linePos(pos[0] ?? 0);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    return { ok: false, message: doc.errors.map((e) => `${where(e.pos)}: ${e.message}`).join('\n') };
  }
  const raw: unknown = doc.toJS();
  keepCaseLevelOrder(doc, raw);
  return { ok: true, raw, warnings: doc.warnings.map((w) => `${where(w.pos)}: ${w.message}`) };
}

/**
 * `compare.cases` is read first match wins, so its order is meaning. A plain object would move
 * integer-like keys (`"10"`, `"2"`) to the front in numeric order; a Map keeps the file's order.
 */
function keepCaseLevelOrder(doc: Document, raw: unknown): void {
  const node = doc.getIn(['compare', 'cases'], true);
  const compare = isMapping(raw) ? raw.compare : undefined;
  if (!isMap(node) || !isMapping(compare)) return;
  const ordered = new Map<string, unknown>();
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    ordered.set(key, isNode(pair.value) ? pair.value.toJS(doc) : pair.value);
  }
  compare.cases = ordered;
}

/** Validates a parsed config tree and resolves its paths; does no I/O. Reports every problem, one per line. */
export function validateConfig(raw: unknown, configPath: string, options: ValidateOptions = {}): LoadResult {
  const p = new Problems(configPath);
  const configAbs = path.resolve(configPath);
  const configDir = path.dirname(configAbs);
  if (!present(raw)) {
    return { ok: false, message: `${configPath}: the file is empty; run "porter init" to write a starting config` };
  }
  const root = mapping(raw, '', p, TOP_KEYS);
  if (!root) return { ok: false, message: p.lines.join('\n') };

  let source: string | undefined;
  if (!present(root.source)) p.add('source', "missing; set it to the source project's root folder, relative to this file");
  else {
    const s = string(root.source, 'source', p);
    if (s !== undefined) source = path.resolve(configDir, s);
  }

  let snapshots: string[] | undefined;
  if (!present(root.snapshots)) p.add('snapshots', 'missing; give the snapshot glob(s), relative to source, e.g. "tests/snapshots/*.snap"');
  else snapshots = stringList(root.snapshots, 'snapshots', p, true);

  const phases = readPhases(root.phases, p, source ?? configDir);
  const target = readTarget(root.target, p, configDir, options.cpus ?? os.availableParallelism());
  const compare = readCompare(root.compare, p);
  const skiplist = optionalPath(root, 'skiplist', 'skiplist', p, configDir);
  const overrides = optionalPath(root, 'overrides', 'overrides', p, configDir);
  const protectedGlobs = present(root.protected) ? stringList(root.protected, 'protected', p, false) : [];

  let reportsDir = path.resolve(configDir, 'reports');
  let keepRuns = DEFAULT_KEEP_RUNS;
  if (present(root.reports)) {
    const reports = mapping(root.reports, 'reports', p, REPORTS_KEYS);
    if (reports) {
      reportsDir = optionalPath(reports, 'dir', 'reports', p, configDir, 'reports.dir') ?? reportsDir;
      if (present(reports.keep_runs)) {
        const k = reports.keep_runs;
        if (typeof k === 'number' && Number.isInteger(k) && k >= 1) keepRuns = k;
        else p.add('reports.keep_runs', `expected a whole number of at least 1 (runs whose detail files are kept), got ${show(k)}`);
      }
    }
  }

  if (p.lines.length > 0) return { ok: false, message: p.lines.join('\n') };
  const config: PorterConfig = {
    configPath: configAbs,
    configDir,
    source: source!,
    snapshots: snapshots!,
    phases: phases!,
    target: target!,
    compare: compare!,
    skiplist: skiplist!,
    overrides: overrides!,
    protected: protectedGlobs!,
    reports: { dir: reportsDir, keepRuns },
  };
  if ('agent' in root) config.agent = root.agent;
  return { ok: true, config, warnings: [] };
}

function optionalPath(m: Mapping, key: string, fallback: string, p: Problems, base: string, keyPath = key): string | undefined {
  if (!present(m[key])) return path.resolve(base, fallback);
  const s = string(m[key], keyPath, p);
  return s === undefined ? undefined : path.resolve(base, s);
}

function readPhases(v: unknown, p: Problems, source: string): PhaseConfig[] | undefined {
  if (!present(v)) {
    p.add('phases', 'missing; list the phases in order, each with a name and the case globs it covers');
    return undefined;
  }
  if (!Array.isArray(v) || v.length === 0) {
    p.add('phases', Array.isArray(v) ? 'the list is empty; give at least one phase' : `expected a list of phases, got ${show(v)}`);
    return undefined;
  }
  const phases: PhaseConfig[] = [];
  const seen = new Map<string, number>();
  v.forEach((item, i) => {
    const at = child('phases', i);
    const m = mapping(item, at, p, PHASE_KEYS);
    if (!m) return;
    let name: string | undefined;
    if (!present(m.name)) p.add(child(at, 'name'), 'missing; give the phase a name such as "lexer"');
    else name = string(m.name, child(at, 'name'), p);
    if (name !== undefined && !SAFE_NAME.test(name)) {
      p.add(
        child(at, 'name'),
        `${show(name)} is not a safe file name (letters, digits, ".", "_", "-", starting with a letter or digit); it names skiplist/<phase>.txt`,
      );
      name = undefined;
    } else if (name !== undefined && seen.has(name)) {
      p.add(child(at, 'name'), `${show(name)} is already the name of phases[${seen.get(name)}]; phase names must be unique`);
      name = undefined;
    }
    if (name !== undefined) seen.set(name, i);

    let cases: string[] | undefined;
    if (!present(m.cases)) p.add(child(at, 'cases'), 'missing; give the case-id glob(s) of this phase, e.g. "test_lexer__*"');
    else cases = stringList(m.cases, child(at, 'cases'), p, true);
    const inputs = present(m.inputs) ? stringList(m.inputs, child(at, 'inputs'), p, false) : [];
    const files = present(m.files) ? stringList(m.files, child(at, 'files'), p, false) : [];
    const inputRules = present(m.input_rules) ? readInputRules(m.input_rules, child(at, 'input_rules'), p) : [];
    const phaseLevel = present(m.level) ? level(m.level, child(at, 'level'), p) : undefined;

    if (name === undefined || !cases || !inputs || !files || !inputRules) return;
    if (present(m.level) && !phaseLevel) return;
    const phase: PhaseConfig = { name, cases, inputs: inputs.map((d) => path.resolve(source, d)), files };
    if (inputRules.length > 0) phase.inputRules = inputRules;
    if (phaseLevel) phase.level = phaseLevel;
    phases.push(phase);
  });
  return phases.length === v.length ? phases : undefined;
}

function readTarget(v: unknown, p: Problems, configDir: string, cpus: number): TargetConfig | undefined {
  if (!present(v)) {
    p.add('target', 'missing; set target.command to the command that runs your port');
    return undefined;
  }
  const m = mapping(v, 'target', p, TARGET_KEYS);
  if (!m) return undefined;
  let ok = true;
  const bad = (key: string, message: string) => {
    p.add(child('target', key), message);
    ok = false;
  };

  let command: string[] = [];
  if (!present(m.command)) bad('command', 'missing; give the command that runs your port, e.g. "python3 adapter.py"');
  else {
    const c = readCommand(m.command);
    if (c.ok) command = c.argv;
    else bad('command', c.message);
  }

  let protocol: TargetConfig['protocol'] = 'stdio';
  if (present(m.protocol)) {
    const pr = oneOf(m.protocol, 'target.protocol', p, 'protocol', ['stdio', 'exec'] as const);
    if (pr) protocol = pr;
    else ok = false;
  }

  let workers = Math.max(1, Math.min(4, cpus));
  if (present(m.workers)) {
    if (typeof m.workers === 'number' && Number.isInteger(m.workers) && m.workers >= 1) workers = m.workers;
    else bad('workers', `expected a whole number of at least 1, got ${show(m.workers)}`);
  }

  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (present(m.timeout)) {
    const d = parseDuration(m.timeout);
    if (d === null) bad('timeout', `${show(m.timeout)} is not a duration (${DURATION_HINT})`);
    else if (d === 0) bad('timeout', 'must be longer than zero');
    else timeoutMs = d;
  }

  let cwd = configDir;
  if (present(m.cwd)) {
    const s = string(m.cwd, 'target.cwd', p);
    if (s === undefined) ok = false;
    else cwd = path.resolve(configDir, s);
  }

  let maxOutputBytes = DEFAULT_MAX_OUTPUT;
  if (present(m.max_output)) {
    const n = parseSize(m.max_output);
    if (n === null) bad('max_output', `${show(m.max_output)} is not a size (${SIZE_HINT})`);
    else if (n === 0) bad('max_output', 'must be larger than zero');
    else maxOutputBytes = n;
  }

  return ok ? { command, protocol, workers, timeoutMs, cwd, maxOutputBytes } : undefined;
}

function readCompare(v: unknown, p: Problems): CompareConfig | undefined {
  const compare: CompareConfig = {
    level: DEFAULT_LEVEL,
    errorMarkers: [...DEFAULT_ERROR_MARKERS],
    similarity: DEFAULT_SIMILARITY,
    normalize: [],
    cases: [],
  };
  if (!present(v)) return compare;
  const m = mapping(v, 'compare', p, COMPARE_KEYS);
  if (!m) return undefined;
  const before = p.lines.length;

  if (present(m.level)) compare.level = level(m.level, 'compare.level', p) ?? DEFAULT_LEVEL;
  if (present(m.error_markers)) compare.errorMarkers = stringList(m.error_markers, 'compare.error_markers', p, false) ?? [];
  if (present(m.similarity)) {
    const s = m.similarity;
    if (typeof s === 'number' && s >= 0 && s <= 1) compare.similarity = s;
    else p.add('compare.similarity', `expected a number from 0 to 1, got ${show(s)}`);
  }
  if (present(m.normalize)) compare.normalize = readNormalize(m.normalize, p);
  if (present(m.cases)) {
    if (!isMapping(m.cases)) {
      p.add('compare.cases', `expected a mapping of case-id glob to level, got ${show(m.cases)}`);
    } else {
      // A Map from parseConfigYaml (the file's order), or a plain object from other callers.
      const entries = m.cases instanceof Map ? [...(m.cases as Map<string, unknown>)] : Object.entries(m.cases);
      for (const [glob, l] of entries) {
        const lv = level(l, child('compare.cases', glob), p);
        if (lv) compare.cases.push({ glob, level: lv });
      }
    }
  }
  return p.lines.length === before ? compare : undefined;
}

function readNormalize(v: unknown, p: Problems): NormalizeRule[] {
  if (!Array.isArray(v)) {
    p.add('compare.normalize', `expected a list of {pattern, replacement}, got ${show(v)}`);
    return [];
  }
  const rules: NormalizeRule[] = [];
  v.forEach((item, i) => {
    const at = child('compare.normalize', i);
    const m = mapping(item, at, p, NORMALIZE_KEYS);
    if (!m) return;
    const pattern = present(m.pattern) ? string(m.pattern, child(at, 'pattern'), p) : undefined;
    if (!present(m.pattern)) p.add(child(at, 'pattern'), 'missing; give the regular expression to replace');
    let replacement: string | undefined;
    if (typeof m.replacement === 'string') replacement = m.replacement;
    else if (!present(m.replacement)) p.add(child(at, 'replacement'), 'missing; give the replacement text ("" to delete the match)');
    else p.add(child(at, 'replacement'), `expected a string, got ${show(m.replacement)}`);
    if (pattern === undefined) return;
    try {
      new RegExp(pattern, 'g');
    } catch (e) {
      p.add(child(at, 'pattern'), `not a valid regular expression: ${(e as Error).message}`);
      return;
    }
    if (replacement !== undefined) rules.push({ pattern, replacement });
  });
  return rules;
}

/**
 * A skip-list or overrides path the config names but that does not exist: a typo there would
 * quietly park nothing, so it is said, without refusing (`--baseline` creates a skip-list).
 */
async function absentPaths(raw: unknown, config: PorterConfig): Promise<string[]> {
  const root = isMapping(raw) ? raw : {};
  const name = path.basename(config.configPath);
  const exists = async (p: string) => (await stat(p).catch(() => null)) !== null;
  const out: string[] = [];
  if (present(root.skiplist) && !(await exists(config.skiplist))) {
    out.push(`${name}: skiplist: ${config.skiplist} does not exist, so no case is skipped; fix the path if it is a typo (porter test --baseline creates it)`);
  }
  if (present(root.overrides) && !(await exists(config.overrides))) {
    out.push(`${name}: overrides: ${config.overrides} does not exist, so no case has an override; fix the path if it is a typo`);
  }
  return out;
}

/** The folders the config names must exist: a typo here would otherwise surface as a puzzling empty suite. */
async function missingFolders(config: PorterConfig, file: string): Promise<string[]> {
  const checks: Array<{ key: string; dir: string; hint: string }> = [
    { key: 'source', dir: config.source, hint: "set source to the source project's root, relative to this file" },
  ];
  config.phases.forEach((ph, i) => {
    ph.inputs.forEach((dir, j) => {
      checks.push({
        key: ph.inputs.length === 1 ? `phases[${i}].inputs` : `phases[${i}].inputs[${j}]`,
        dir,
        hint: 'input folders are relative to source',
      });
    });
  });
  checks.push({ key: 'target.cwd', dir: config.target.cwd, hint: 'target.cwd is relative to this file' });
  const lines: string[] = [];
  for (const { key, dir, hint } of checks) {
    const kind = await folderKind(dir);
    if (kind !== 'dir') lines.push(`${file}: ${key}: ${dir} ${kind === 'missing' ? 'does not exist' : 'is not a folder'}; ${hint}`);
  }
  return lines;
}

async function folderKind(dir: string): Promise<'dir' | 'missing' | 'other'> {
  try {
    return (await stat(dir)).isDirectory() ? 'dir' : 'other';
  } catch {
    return 'missing';
  }
}
