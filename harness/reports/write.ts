/**
 * The reports' edge: files on disk. Appends the run's record to `history.jsonl` and
 * rewrites `latest.md` and `index.html` atomically, so an interrupted run never leaves
 * a half-written report.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../run/types.js';
import type { AgentSkip, AgentStats, DetailLimits, HistoryRecord, TamperEvent } from './history-types.js';
import { appendHistory, gitRevision, lastResults, readHistory, recordFromRun } from './history.js';
import { htmlFromView } from './html.js';
import { markdownFromView } from './markdown.js';
import { buildView } from './view.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { sourceRevision } from '../util/source-revision.js';
import { readDriftStatus } from './drift-status.js';

export const HISTORY_FILE = 'history.jsonl';
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
  files: { history: string; markdown: string; html: string };
  /** The Markdown written to latest.md (also what went to the step summary). */
  markdown: string;
  /** The step summary file appended to, when GITHUB_STEP_SUMMARY was set. */
  stepSummary: string | null;
  /** History lines that were skipped or normalised, one line each. */
  warnings: string[];
}

/** Appends this run to `<dir>/history.jsonl` and regenerates `latest.md` and `index.html`. */
export async function writeReports(dir: string, options: WriteReportsOptions): Promise<WrittenReports> {
  const files = paths(dir);
  // `git rev-parse` runs in its own process while the history is read and parsed.
  const revision = options.rev !== undefined ? options.rev : options.workspace ? gitRevision(options.workspace) : null;
  const sourceState = options.source ? sourceRevision(options.source) : null;
  const { records, warnings } = readHistory(files.history);
  const rev = await revision;
  const source = await sourceState;
  const x = options.extra ?? {};
  const time = x.time ?? options.run?.startedAt ?? new Date().toISOString();
  const record = recordFromRun(options.run ?? null, lastResults(records), {
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
  appendHistory(files.history, record);
  records.push(record);

  const view = buildView(records, options.run, { appended: options.run !== undefined });
  const drift = readDriftStatus(dir, (w) => warnings.push(w));
  const markdown = markdownFromView(view, { drift });
  writeFileAtomic(files.markdown, markdown);
  writeFileAtomic(files.html, htmlFromView(view, { drift }));
  const stepSummary = appendStepSummary(markdown, options.env ?? process.env);
  return { record, files, markdown, stepSummary, warnings };
}

export type Regenerated =
  | { ok: true; files: { markdown: string; html: string }; records: number; warnings: string[] }
  | { ok: false; message: string; warnings: string[] };

/** `porter report`: rebuilds `latest.md` and `index.html` from the history alone. */
export function regenerateReports(dir: string): Regenerated {
  const files = paths(dir);
  if (!fs.existsSync(files.history)) {
    return { ok: false, message: `${files.history}: no history yet; run \`porter test\` first (or copy a history.jsonl there)`, warnings: [] };
  }
  const { records, warnings } = readHistory(files.history);
  if (records.length === 0) return { ok: false, message: `${files.history}: no readable records; nothing to report`, warnings };
  const view = buildView(records);
  const drift = readDriftStatus(dir, (w) => warnings.push(w));
  writeFileAtomic(files.markdown, markdownFromView(view, { drift }));
  writeFileAtomic(files.html, htmlFromView(view, { drift }));
  return { ok: true, files: { markdown: files.markdown, html: files.html }, records: records.length, warnings };
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
  return { history: path.join(dir, HISTORY_FILE), markdown: path.join(dir, MARKDOWN_FILE), html: path.join(dir, HTML_FILE) };
}
