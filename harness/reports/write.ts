/**
 * The reports' edge: files on disk. Appends the run's summary to `history.jsonl`, writes
 * its detail to `runs/`, applies `reports.keep_runs`, and rewrites `latest.md` and
 * `index.html` atomically, so an interrupted run never leaves a half-written report.
 * A history of version 1 is migrated first, once.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../run/types.js';
import { DEFAULT_KEEP_RUNS } from '../config/types.js';
import type { AgentSkip, AgentStats, DetailLimits, HistoryRecord, RunDetail, TamperEvent } from './history-types.js';
import { gitRevision, lastResults, recordFromRun } from './history.js';
import { appendHistory, historyPath, readHistory } from './history-file.js';
import { migrateHistory } from './history-legacy.js';
import { htmlFromView } from './html.js';
import { markdownFromView } from './markdown.js';
import { detailName, detailPath, pruneDetails, readDetail, RUNS_DIR, writeDetail } from './run-details.js';
import { buildView, reportInput } from './view.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { sourceRevision } from '../util/source-revision.js';
import { readDriftStatus } from './drift-status.js';

export const MARKDOWN_FILE = 'latest.md';
export const HTML_FILE = 'index.html';

export interface WriteReportsOptions {
  kind: 'test' | 'agent';
  /** The run's results; absent for an agent run that stopped before running the suite. */
  run?: RunResult;
  agent?: AgentStats;
  /** The workspace's git revision; when undefined it is read from `workspace` (null outside git). */
  rev?: string | null;
  workspace?: string;
  /** The source project's folder: its git revision goes into the record (`source: {rev, dirty}`). */
  source?: string;
  /** Runs whose detail file is kept (`reports.keep_runs`); 200 when not given. */
  keepRuns?: number;
  extra?: {
    /** ISO start time when there is no run (defaults to the run's `startedAt`). */
    time?: string;
    durationMs?: number;
    /** The run covered only some cases (`--phase`, `--filter`). */
    partial?: boolean;
    tamper?: TamperEvent[];
    agentSkips?: AgentSkip[];
    limits?: Partial<DetailLimits>;
  };
  /** Environment for `GITHUB_STEP_SUMMARY`; defaults to `process.env`. Pass `{}` to never append. */
  env?: NodeJS.ProcessEnv;
}

export interface WrittenReports {
  record: HistoryRecord;
  detail: RunDetail;
  files: { history: string; detail: string; markdown: string; html: string };
  /** The Markdown written to latest.md (also what went to the step summary). */
  markdown: string;
  /** The step summary file appended to, when GITHUB_STEP_SUMMARY was set. */
  stepSummary: string | null;
  /** History lines that were skipped or normalised, detail files that could not be read: one line each. */
  warnings: string[];
  /** What was done besides the run's record: a migration of the history. */
  notes: string[];
}

/** Records this run in `<dir>` (summary, detail, retention) and regenerates `latest.md` and `index.html`. */
export async function writeReports(dir: string, options: WriteReportsOptions): Promise<WrittenReports> {
  const files = paths(dir);
  // `git rev-parse` runs in its own process while the history is read.
  const revision = options.rev !== undefined ? options.rev : options.workspace ? gitRevision(options.workspace) : null;
  const sourceState = options.source ? sourceRevision(options.source) : null;
  const keepRuns = options.keepRuns ?? DEFAULT_KEEP_RUNS;
  const { records, warnings, notes } = loadHistory(dir, keepRuns);
  const previous = lastResults(records);
  const previousDetail = previous ? detailOrWarn(dir, previous, warnings) : null;
  const rev = await revision;
  const source = await sourceState;
  const x = options.extra ?? {};
  const time = x.time ?? options.run?.startedAt ?? new Date().toISOString();
  const { record, detail } = recordFromRun(options.run ?? null, previous && previousDetail ? { record: previous, detail: previousDetail } : null, {
    kind: options.kind,
    rev,
    source,
    time,
    ...(x.durationMs !== undefined ? { durationMs: x.durationMs } : {}),
    ...(x.partial ? { partial: true } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
    ...(x.tamper ? { tamper: x.tamper } : {}),
    ...(x.agentSkips ? { agentSkips: x.agentSkips } : {}),
    ...(x.limits ? { limits: x.limits } : {}),
  });
  if (previous && !previousDetail && options.run) {
    (detail.warnings ??= []).push(`changes since the previous run are not known: its detail file cannot be read`);
  }
  // The detail goes first: a summary on disk always names a file that exists.
  record.detail = detailName(record.time, crypto.randomBytes(3).toString('hex'));
  writeDetail(dir, record.detail, detail);
  appendHistory(files.history, record);
  records.push(record);
  pruneDetails(dir, records, keepRuns, lastResults(records));

  const input = { records, results: record.phases.length > 0 ? detail : previousDetail, latest: detail };
  const view = buildView(input, options.run, { appended: options.run !== undefined });
  const drift = readDriftStatus(dir, (w) => warnings.push(w));
  const markdown = markdownFromView(view, { drift });
  writeFileAtomic(files.markdown, markdown);
  writeFileAtomic(files.html, htmlFromView(view, { drift }));
  const stepSummary = appendStepSummary(markdown, options.env ?? process.env);
  return { record, detail, files: { ...files, detail: detailPath(dir, record.detail) }, markdown, stepSummary, warnings, notes };
}

export type Regenerated =
  | { ok: true; files: { markdown: string; html: string }; records: number; notes: string[]; warnings: string[] }
  | { ok: false; message: string; warnings: string[] };

/**
 * `porter report`: rebuilds `latest.md` and `index.html` from the history alone (the
 * summaries and the last run's detail), migrating a version 1 history first and applying
 * `keepRuns`.
 */
export function regenerateReports(dir: string, options: { keepRuns?: number } = {}): Regenerated {
  const files = paths(dir);
  if (!fs.existsSync(files.history)) {
    return { ok: false, message: `${files.history}: no history yet; run \`porter test\` first (or copy a history.jsonl there)`, warnings: [] };
  }
  const keepRuns = options.keepRuns ?? DEFAULT_KEEP_RUNS;
  const warnings: string[] = [];
  try {
    const loaded = loadHistory(dir, keepRuns);
    warnings.push(...loaded.warnings);
    const { records, notes } = loaded;
    if (records.length === 0) return { ok: false, message: `${files.history}: no readable records; nothing to report`, warnings };
    pruneDetails(dir, records, keepRuns, lastResults(records));
    const view = buildView(reportInput(records, (r) => detailOrWarn(dir, r, warnings)));
    const drift = readDriftStatus(dir, (w) => warnings.push(w));
    writeFileAtomic(files.markdown, markdownFromView(view, { drift }));
    writeFileAtomic(files.html, htmlFromView(view, { drift }));
    return { ok: true, files: { markdown: files.markdown, html: files.html }, records: records.length, notes, warnings };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined) throw err;
    return { ok: false, message: `cannot write the reports in ${dir} (${code}); check its permissions and free space`, warnings };
  }
}

/** Reads the summaries; a history of version 1 is migrated first, and said so in a note. */
function loadHistory(dir: string, keepRuns: number): { records: HistoryRecord[]; warnings: string[]; notes: string[] } {
  const file = historyPath(dir);
  const first = readHistory(file);
  if (first.legacy === 0) return { records: first.records, warnings: first.warnings, notes: [] };
  const m = migrateHistory(dir, keepRuns);
  // Line-level warnings were said by the first read; the migrated file holds the same lines.
  const { records } = readHistory(file);
  const note = `${file}: migrated ${m.migrated} record(s) of history version 1 to one summary a line; the per-case detail of the newest ${m.details} went to ${path.join(dir, RUNS_DIR)}/`;
  return { records, warnings: first.warnings, notes: [note] };
}

function detailOrWarn(dir: string, record: HistoryRecord, warnings: string[]): RunDetail | null {
  const read = readDetail(dir, record);
  if (read.ok) return read.detail;
  warnings.push(read.message);
  return null;
}

/**
 * Appends the Markdown to the file named by `GITHUB_STEP_SUMMARY` (GitHub Actions shows it
 * on the run page). Returns that file, or null when the variable is not set.
 */
export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return null;
  let lead = '';
  try {
    const size = fs.statSync(file).size;
    if (size > 0) lead = '\n';
  } catch {
    // A missing file is created by the append below.
  }
  // GitHub refuses a step summary over 1 MiB; keep well under it.
  const max = 900_000;
  const body = Buffer.byteLength(markdown) > max ? `${Buffer.from(markdown).subarray(0, max).toString('utf8').replace(/\uFFFD*$/, '')}\n\n… (summary cut; see reports/latest.md)\n` : markdown;
  fs.appendFileSync(file, `${lead}${body.endsWith('\n') ? body : `${body}\n`}`);
  return file;
}

function paths(dir: string) {
  return { history: historyPath(dir), markdown: path.join(dir, MARKDOWN_FILE), html: path.join(dir, HTML_FILE) };
}
