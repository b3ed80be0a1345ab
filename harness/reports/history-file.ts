/**
 * `reports/history.jsonl`: one summary per run, appended durably and read back
 * tolerantly. A torn last line (a run killed mid-write) is skipped with a warning; records
 * of older versions load through history-normalize.ts, and version 1 records, which held
 * every case's status inline, are counted so the caller can migrate them (history-legacy.ts).
 */
import path from 'node:path';
import type { HistoryRecord } from './history-types.js';
import { normalizeRecord } from './history-normalize.js';
import { appendJsonl, readJsonl } from '../util/jsonl.js';

export const HISTORY_FILE = 'history.jsonl';

export function historyPath(dir: string): string {
  return path.join(dir, HISTORY_FILE);
}

/** Appends one summary as one line and flushes it to disk before returning. */
export function appendHistory(file: string, record: HistoryRecord): void {
  appendJsonl(file, record);
}

export interface HistoryRead {
  records: HistoryRecord[];
  /** One line each: a skipped torn or unreadable line, records of an older or newer Porter. */
  warnings: string[];
  /** Records of history version 1 or older, loaded as summaries without a detail file until migrated. */
  legacy: number;
}

/** Reads the history; a missing file is an empty history. Never throws on bad content. */
export function readHistory(file: string): HistoryRead {
  const records: HistoryRecord[] = [];
  const warnings: string[] = [];
  const ages = { older: 0, newer: 0, legacy: 0 };
  try {
    for (const item of readJsonl(file, 'keep-if-parses')) {
      if ('problem' in item) {
        warnings.push(
          item.problem === 'torn'
            ? `${file}:${item.line}: truncated last record skipped (a run was interrupted while writing it)`
            : `${file}:${item.line}: unreadable record skipped (not JSON)`,
        );
        continue;
      }
      const n = normalizeRecord(item.value);
      if (!n.ok) {
        warnings.push(`${file}:${item.line}: record skipped: ${n.message}`);
        continue;
      }
      if ('legacy' in n) {
        ages.legacy++;
        if (n.age === 'older') ages.older++;
        records.push(n.legacy.record);
      } else {
        if (n.age === 'newer') ages.newer++;
        records.push(n.record);
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], warnings: [], legacy: 0 };
    return { records: [], warnings: [`${file}: cannot read history (${(err as Error).message}); reports start from an empty history`], legacy: 0 };
  }
  if (ages.older) warnings.push(`${file}: ${ages.older} record(s) from an older Porter loaded with missing fields defaulted`);
  if (ages.newer) warnings.push(`${file}: ${ages.newer} record(s) from a newer Porter loaded; fields this version does not know are ignored`);
  return { records, warnings, legacy: ages.legacy };
}
