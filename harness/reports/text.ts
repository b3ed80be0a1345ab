/**
 * Text helpers shared by the reporters. Snapshots and target output can hold raw control
 * characters (ANSI escapes, NUL, \r); reports show them as visible symbols instead, so a
 * report never drives a terminal, breaks an XML parser or hides a difference.
 */

import type { MergeCounts, WorkerFigures } from './history-types.js';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g;

/** Replaces control characters (except \t and \n) with visible stand-ins; lone surrogates with U+FFFD. */
export function visibleControls(text: string): string {
  // Most texts have none: a test is cheaper than a replace that builds nothing.
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(text)) return text;
  CONTROL.lastIndex = 0;
  return text.replace(CONTROL, (ch) => {
    const code = ch.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code); // ␀ … ␟
    if (code === 0x7f) return '\u2421'; // ␡
    if (code >= 0x80 && code <= 0x9f) return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
    return '\ufffd';
  });
}

/** At most `maxLines` lines and `maxChars` characters, with a note saying how much was cut. */
export function truncateText(text: string, maxLines: number, maxChars: number): { text: string; truncated: boolean } {
  const lines = text.split('\n');
  let out = lines.length > maxLines ? lines.slice(0, maxLines).join('\n') : text;
  if (out.length > maxChars) out = out.slice(0, maxChars);
  if (out === text) return { text, truncated: false };
  const hidden = lines.length - out.split('\n').length;
  return { text: `${out}\n… (cut${hidden > 0 ? `: ${hidden} more line${hidden === 1 ? '' : 's'}` : ''})`, truncated: true };
}

/** A single line of at most `max` characters. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `████████░░ 80%`: reads on a terminal and in a GitHub comment. Full only when everything passes. */
export function progressBar(done: number, total: number, width = 10): string {
  const ratio = total > 0 ? done / total : 0;
  const filled = done >= total && total > 0 ? width : Math.min(width - 1, Math.floor(ratio * width));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${percent(done, total)}`;
}

/** Whole percent, never rounded up to 100 unless complete nor down to 0 unless nothing. */
export function percent(done: number, total: number): string {
  if (total <= 0) return '–';
  if (done >= total) return '100%';
  if (done <= 0) return '0%';
  return `${Math.min(99, Math.max(1, Math.floor((done / total) * 100)))}%`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${h} h` : `${h} h ${minutes % 60} min`;
}

/** Age between two ISO times, coarse: `5 min`, `3 h`, `4 d`. */
export function formatAge(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 60_000) return '< 1 min';
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h`;
  return `${Math.floor(ms / 86_400_000)} d`;
}

/** `2024-05-01 03:12 UTC`; the input unchanged when it is not a date. */
export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  if (usd < 1) return `$${usd.toFixed(3)}`;
  return `$${usd.toFixed(2)}`;
}

/**
 * `12,345`, as `toLocaleString('en-US')` writes it. Whole numbers are grouped by hand: the first
 * `toLocaleString` call loads ICU's number formatting, ~25 ms of a `porter test`'s report.
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let grouped = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}

export function shortRev(rev: string | null): string {
  return rev ? rev.slice(0, 10) : '–';
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

/**
 * Reports count as passing every case that matches its snapshot; `porter test`'s closing line
 * ("N passed") leaves out skip-listed cases that pass again. When there are such cases, this
 * says so, so the two numbers never seem to disagree; '' when there are none.
 */
export function passingNote(counts: { pass: number; unexpectedPass: number }): string {
  const { pass, unexpectedPass: again } = counts;
  if (again === 0) return '';
  const cases = again === 1 ? 'skip-listed case that passes again' : 'skip-listed cases that pass again';
  return `${formatCount(pass + again)} pass = ${formatCount(pass)} passed + ${formatCount(again)} ${cases}; porter test counts only the ${formatCount(pass)} as passed`;
}

/**
 * A parallel run's worker as both reports show it: items, merged, rejected, conflicts, cost,
 * and busy time as a share of the run's wall time (workers overlap, so their times do not
 * add up to it).
 */
export function workerCells(w: WorkerFigures, wallMs: number): string[] {
  return [
    ...[w.items, w.merged, w.rejected, w.conflicts].map(formatCount),
    `$${w.costUsd.toFixed(2)}`,
    wallMs > 0 ? percent(w.busyMs, wallMs) : '—',
  ];
}

export const WORKER_COLUMNS = ['Items', 'Merged', 'Rejected', 'Conflicts', 'Cost', 'Busy'];

/** What the merge queue of a parallel run did, in one line. */
export function mergeQueueLine(m: MergeCounts): string {
  return `Merge queue: ${formatCount(m.accepted)} accepted, ${formatCount(m.rejected)} rejected, ${plural(m.conflicts, 'conflict')}, ${formatCount(m.superseded)} superseded`;
}
