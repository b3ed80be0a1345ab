/**
 * Migration of a history written by Porter's history version 1 (and older), whose every
 * line held the status of every case: each such record becomes a summary in history.jsonl
 * and, for the newest `keepRuns` runs, a detail file in `runs/`. It happens once: the
 * rewritten history holds no version 1 line, so the next read finds nothing to migrate.
 *
 * Atomic: the detail files are written first (each atomically), then history.jsonl is
 * replaced in one rename. Killed halfway, the old history.jsonl is intact and the next
 * migration writes the same detail file names again (they derive from each line's time
 * and content), so nothing is left half-done or duplicated.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { HistoryRecord, SkippedCase } from './history-types.js';
import { lastResults, skipStreak } from './history.js';
import { historyPath } from './history-file.js';
import { normalizeRecord } from './history-normalize.js';
import { detailName, pruneDetails, readDetail, writeDetail } from './run-details.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readJsonl } from '../util/jsonl.js';

export interface Migration {
  /** Records rewritten as summaries. */
  migrated: number;
  /** Detail files written to `runs/`. */
  details: number;
}

/** Where a legacy line is in the file, to read it again if its detail is kept. */
interface LegacyLine {
  record: HistoryRecord;
  offset: number;
  bytes: number;
  /** Its skip entries with their ages, worked out in file order. */
  skips: SkippedCase[] | undefined;
}

export function migrateHistory(dir: string, keepRuns: number): Migration {
  const file = historyPath(dir);
  // Lines kept as written (summaries, unreadable lines) or summaries to write in place of legacy records.
  const out: Array<string | HistoryRecord> = [];
  const records: HistoryRecord[] = [];
  // Only the newest legacy lines can keep a detail file: remember where those are, not what they hold.
  const window: LegacyLine[] = [];
  let lastLegacyWithResults: LegacyLine | null = null;
  // Skip ages carry from the previous record with results; when that is a summary already,
  // its detail file is read, once, only if a legacy record follows it.
  let previousSkips: ReadonlyMap<string, SkippedCase> | null = new Map();
  let previousSummary: HistoryRecord | null = null;
  const skipsBefore = (): ReadonlyMap<string, SkippedCase> => {
    if (previousSkips) return previousSkips;
    const read = previousSummary ? readDetail(dir, previousSummary) : null;
    return (previousSkips = new Map(read?.ok ? (read.detail.skips ?? []).map((s) => [s.id, s]) : []));
  };

  for (const item of readJsonl(file, 'keep-if-parses')) {
    // A torn last line is dropped here: the rewritten file ends on a whole line.
    if ('problem' in item) {
      if (item.problem === 'not-json') out.push(item.text);
      continue;
    }
    const n = normalizeRecord(item.value);
    if (!n.ok || !('legacy' in n)) {
      out.push(item.text);
      if (n.ok) {
        records.push(n.record);
        if (n.record.phases.length > 0) [previousSummary, previousSkips] = [n.record, null];
      }
      continue;
    }
    const { record, detail } = n.legacy;
    let skips: SkippedCase[] | undefined;
    if (record.phases.length > 0) {
      const before = skipsBefore();
      skips = detail.skips?.map((s) => ({ ...s, ...skipStreak(before, s.id, record.time) }));
      previousSkips = new Map((skips ?? []).map((s) => [s.id, s]));
    }
    record.detail = detailName(record.time, crypto.createHash('sha1').update(item.text).digest('hex').slice(0, 6));
    const line: LegacyLine = { record, offset: item.offset, bytes: Buffer.byteLength(item.text), skips };
    out.push(record);
    records.push(record);
    window.push(line);
    if (window.length > keepRuns) window.shift();
    if (record.phases.length > 0) lastLegacyWithResults = line;
  }

  const kept = new Set(records.slice(-keepRuns));
  const lastWithResults = lastResults(records);
  if (lastWithResults) kept.add(lastWithResults);
  const toWrite = [...window];
  if (lastLegacyWithResults && !window.includes(lastLegacyWithResults)) toWrite.push(lastLegacyWithResults);
  const written = new Set<HistoryRecord>();
  const fd = fs.openSync(file, 'r');
  try {
    for (const line of toWrite) {
      if (!kept.has(line.record)) continue;
      const n = normalizeRecord(JSON.parse(readAt(fd, line.offset, line.bytes)));
      if (!n.ok || !('legacy' in n)) continue;
      const detail = n.legacy.detail;
      if (line.skips) detail.skips = line.skips;
      writeDetail(dir, line.record.detail!, detail);
      written.add(line.record);
    }
  } finally {
    fs.closeSync(fd);
  }
  // Summaries whose detail was not kept name no file.
  for (const r of out) if (typeof r !== 'string' && !written.has(r)) delete r.detail;

  writeFileAtomic(file, `${out.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`);
  pruneDetails(dir, records, keepRuns, lastWithResults);
  return { migrated: out.filter((r) => typeof r !== 'string').length, details: written.size };
}

function readAt(fd: number, offset: number, bytes: number): string {
  const buf = Buffer.alloc(bytes);
  fs.readSync(fd, buf, 0, bytes, offset);
  return buf.toString('utf8');
}
