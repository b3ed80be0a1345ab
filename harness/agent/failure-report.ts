import fs from 'node:fs';
import path from 'node:path';
import type { CaseResult } from '../run/types.js';
import type { SuiteVerdict } from './verdict.js';
import { countsLine, isFailing } from '../judge/case-status.js';

/**
 * The long form behind a task message: every failing case with its reason, input and
 * diff, in a Markdown file under `.porter/failures/` that the agent can read when the
 * message's few examples are not enough.
 */

/** The input file's text, cut to `maxChars`, or null when it cannot be read. */
export function readInput(sourceRoot: string, c: CaseResult, maxChars: number): string | null {
  if (!c.inputPath) return null;
  try {
    const text = fs.readFileSync(path.resolve(sourceRoot, c.inputPath), 'utf8');
    return text.length > maxChars ? `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters)` : text;
  } catch {
    return null;
  }
}

/** A fence longer than any backtick run inside, so diffs with ``` in them stay intact. */
export function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}\n${text.replace(/\n$/, '')}\n${f}`;
}

export function caseDetail(sourceRoot: string, c: CaseResult, maxInputChars: number): string {
  const lines = [`### ${c.id}`, '', `- phase: ${c.phase}; status: ${c.status}${c.facet ? `; ${c.facet} differs` : ''}`];
  if (c.reason) lines.push(`- reason: ${c.reason}`);
  lines.push(`- snapshot: ${path.join(sourceRoot, c.snapshotPath)}`);
  if (c.inputPath) lines.push(`- input: ${path.join(sourceRoot, c.inputPath)}`);
  if (c.protected) lines.push('- protected: must match exactly; cannot be skipped');
  const input = readInput(sourceRoot, c, maxInputChars);
  if (input !== null) lines.push('', 'Input:', '', fence(input));
  if (c.diff) lines.push('', 'Diff (- expected, + actual):', '', fence(c.diff));
  else if (c.actual !== undefined) lines.push('', 'Actual output:', '', fence(c.actual));
  if (c.stderrTail) lines.push('', 'Target stderr (tail):', '', fence(c.stderrTail));
  return lines.join('\n');
}

export function writeFailureReport(file: string, v: SuiteVerdict, sourceRoot: string, iteration: number): void {
  const failing = v.cases.filter((c) => isFailing(c.status));
  const parts = [`# Failing cases after iteration ${iteration}`, '', countsLine(v.phases), ''];
  if (v.targetError) parts.push(`The target did not start: ${v.targetError}`, '');
  else if (failing.length === 0) parts.push('No failures.');
  for (const c of v.targetError ? [] : failing) parts.push(caseDetail(sourceRoot, c, 4000), '');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, parts.join('\n'));
}
