import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sessionPath, sessionsDir } from './porter-dir.js';
import type { SessionEntry, SessionEvent, SessionSink } from './types.js';
import { allSecretSources } from './backends.js';
import { scrubSecrets, secretValues, type SecretSource } from './secrets.js';
import { readJsonl } from '../util/jsonl.js';

/**
 * `.porter/sessions/<run>.jsonl`: one JSON line per step, appended and fsynced before
 * `append` returns, so that whatever the next step does (a tool call, a commit) happens
 * after its record is on disk. Readers skip a torn last line; `--resume` reopens the
 * file, cuts the torn tail and continues the sequence.
 *
 * No API key may reach the log: every line is scrubbed of the key shapes and of the values
 * of the credential variables that the backends declare, before it is written.
 */

export interface SessionFile extends SessionSink {
  readonly file: string;
  readonly runId: string;
  /** The `seq` of the last entry written (0 when none). */
  readonly lastSeq: number;
  close(): void;
}

export interface OpenOptions {
  clock?: () => Date;
  /** Extra secret values to scrub; the credential variables are always scrubbed. */
  secrets?: string[];
  env?: NodeJS.ProcessEnv;
  /** Where credentials come from; default every registered backend's. */
  sources?: SecretSource[];
}


/** Sortable by time, unique enough for one workspace: `2026-11-20T15-40-12Z-3fa1`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `${stamp}-${crypto.randomBytes(2).toString('hex')}`;
}

/** Returns a function that removes API keys from a serialized line. */
export function makeScrubber(env: NodeJS.ProcessEnv = process.env, extra: string[] = [], sources: SecretSource[] = allSecretSources()): (line: string) => string {
  // As the values appear inside a JSON string.
  const values = [...secretValues(sources, env), ...extra].map((v) => JSON.stringify(v).slice(1, -1));
  const patterns = sources.flatMap((s) => s.patterns);
  return (line) => scrubSecrets(line, values, patterns);
}

export interface ReadResult {
  entries: SessionEntry[];
  warnings: string[];
  /** Byte length of the intact part of the file (everything up to the last good newline). */
  intactBytes: number;
}

export function readSession(file: string): ReadResult {
  const entries: SessionEntry[] = [];
  const warnings: string[] = [];
  let intactBytes = fs.statSync(file).size;
  for (const item of readJsonl(file, 'drop')) {
    if ('problem' in item) {
      if (item.problem === 'torn') {
        warnings.push(`${file}: the last line is incomplete (the run was interrupted while writing it); skipped`);
        intactBytes = item.offset;
      } else warnings.push(`${file}:${item.line}: not valid JSON; skipped`);
      continue;
    }
    const e = item.value as Partial<SessionEntry> | null;
    if (typeof e !== 'object' || e === null || e.v !== 1 || typeof e.seq !== 'number' || typeof e.type !== 'string') {
      warnings.push(`${file}:${item.line}: not a version 1 session entry; skipped`);
      continue;
    }
    entries.push(e as SessionEntry);
  }
  return { entries, warnings, intactBytes };
}

/** The most recent session of a workspace, or null when it has none. */
export function latestSession(workspace: string): string | null {
  const dir = sessionsDir(workspace);
  if (!fs.existsSync(dir)) return null;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  return files.length === 0 ? null : path.join(dir, files[files.length - 1]!);
}

/** Opens (or, for `--resume`, reopens) a run's session file for appending. */
export function openSession(workspace: string, runId: string, opts: OpenOptions = {}): SessionFile {
  const file = sessionPath(workspace, runId);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let seq = 0;
  if (fs.existsSync(file)) {
    const prior = readSession(file);
    // A torn tail would glue itself to the next line; cut it off first.
    if (prior.intactBytes < fs.statSync(file).size) fs.truncateSync(file, prior.intactBytes);
    seq = prior.entries.reduce((m, e) => Math.max(m, e.seq), 0);
  }
  const fd = fs.openSync(file, 'a');
  const clock = opts.clock ?? (() => new Date());
  const scrub = makeScrubber(opts.env, opts.secrets, opts.sources);
  let closed = false;
  return {
    file,
    runId,
    get lastSeq() {
      return seq;
    },
    append(event: SessionEvent): SessionEntry {
      if (closed) throw new Error(`session ${file} is closed`);
      const entry = { v: 1, seq: seq + 1, ts: clock().toISOString(), ...event } as SessionEntry;
      const raw = JSON.stringify(entry);
      const line = scrub(raw);
      fs.writeSync(fd, `${line}\n`);
      fs.fsyncSync(fd);
      seq += 1;
      return line === raw ? entry : (JSON.parse(line) as SessionEntry);
    },
    close() {
      if (closed) return;
      closed = true;
      fs.closeSync(fd);
    },
  };
}
