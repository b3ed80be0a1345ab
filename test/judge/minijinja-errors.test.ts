/**
 * The fuzzy matcher against MiniJinja's real error snapshots (the acceptance bar): every error
 * snapshot is parsed, then judged at every level against what a port might print — a display
 * line only (Go-port style) and a structured `error` in the response.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MatchLevel } from '../../harness/config/types.js';
import { parseErrorFacets } from '../../harness/judge/error-facets.js';
import { judgeCase } from '../../harness/judge/judge.js';
import type { CaseVerdict } from '../../harness/judge/types.js';
import type { TargetError } from '../../harness/target/types.js';
import { parseSnapFile } from '../../harness/suite/snap-file.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const snapshotsDir = path.resolve(repoRoot, '../shared/suites/minijinja/minijinja/tests/snapshots');
const MARKERS = ['!!!ERROR!!!', '!!!SYNTAX ERROR!!!'];

interface ErrorCase {
  id: string;
  body: string;
  marker: string;
  /** Read independently of the parser: top-level Debug fields are indented by exactly four spaces. */
  debugKind: string;
  debugLine: number;
  detail: string | undefined;
  /** The display line: `<label>[: <detail>] (in <name>:<line>)`. */
  label: string;
  name: string;
}

function loadErrorCases(): ErrorCase[] {
  const cases: ErrorCase[] = [];
  for (const file of fs.readdirSync(snapshotsDir).filter((f) => f.endsWith('.snap')).sort()) {
    const parsed = parseSnapFile(fs.readFileSync(path.join(snapshotsDir, file), 'utf8'), file);
    if (!parsed.ok) throw new Error(parsed.message);
    const body = parsed.snapshot.body;
    const marker = MARKERS.find((m) => body.startsWith(`${m}\n`));
    if (!marker) continue;
    const detail = /^ {4}detail: (".*"),$/m.exec(body)?.[1];
    const display = /^(?!caused by:)(.+?) \(in ([^()]+):(\d+)\)$/m.exec(body)!;
    const head = display[1]!;
    cases.push({
      id: file.replace(/\.snap$/, ''),
      body,
      marker,
      debugKind: /^ {4}kind: (\w+),$/m.exec(body)![1]!,
      debugLine: Number(/^ {4}line: (\d+),$/m.exec(body)![1]),
      detail: detail === undefined ? undefined : (JSON.parse(detail) as string),
      label: detail === undefined ? head : head.slice(0, head.indexOf(': ')),
      name: display[2]!,
    });
  }
  return cases;
}

const present = fs.existsSync(snapshotsDir);
const cases = present ? loadErrorCases() : [];

/** How a port author might say the same thing: other quotes, a capital, a few words more. */
function reword(message: string): string {
  const quoted = message.replace(/[`']/g, '"');
  return `${quoted[0]!.toUpperCase()}${quoted.slice(1)} in template`;
}

const UNRELATED = 'connection reset by peer';

function otherKind(c: ErrorCase): { debug: string; label: string } {
  return c.debugKind === 'SyntaxError' ? { debug: 'InvalidOperation', label: 'invalid operation' } : { debug: 'SyntaxError', label: 'syntax error' };
}

/** What a Go port that prints only the display line writes. */
function displayActual(c: ErrorCase, opts: { message?: string; line?: number; label?: string; marker?: string } = {}): string {
  const label = opts.label ?? c.label;
  // An error without a detail displays as its label alone.
  const head = c.detail === undefined && opts.message === undefined ? label : `${label}: ${opts.message ?? reword(c.detail!)}`;
  return `${opts.marker ?? c.marker}\n\n${head} (in ${c.name}:${opts.line ?? c.debugLine})\n`;
}

/** What a port that reports a structured error sends (`output` empty, `error` set). */
function structuredError(c: ErrorCase, opts: { message?: string; line?: number; kind?: string } = {}): TargetError {
  const error: TargetError = { kind: opts.kind ?? c.debugKind, line: opts.line ?? c.debugLine };
  const message = opts.message ?? (c.detail === undefined ? undefined : reword(c.detail));
  if (message !== undefined) error.message = message;
  return error;
}

function judge(c: ErrorCase, level: MatchLevel, actual: string, actualError?: TargetError): CaseVerdict {
  return judgeCase({
    expected: c.body,
    actual,
    ...(actualError ? { actualError } : {}),
    level,
    markers: MARKERS,
    similarity: 0.6,
    normalize: [],
    protectedCase: false,
  });
}

function expectPass(verdict: CaseVerdict, level: MatchLevel): void {
  expect(verdict, JSON.stringify(verdict)).toMatchObject({ pass: true, how: 'fuzzy', level });
}

function expectFail(verdict: CaseVerdict, facet: string): void {
  expect(verdict.pass, JSON.stringify(verdict)).toBe(false);
  if (!verdict.pass) {
    expect(verdict.facet, verdict.reason).toBe(facet);
    expect(verdict.reason.startsWith(`${facet}:`), verdict.reason).toBe(true);
    expect(verdict.diff).toMatch(/^--- expected\n\+\+\+ actual\n@@ /);
  }
}

describe.skipIf(!present)('fuzzy matching on MiniJinja error snapshots', () => {
  it('finds all 66 error snapshots, with and without a detail', () => {
    expect(cases).toHaveLength(66);
    expect(cases.filter((c) => c.marker === '!!!SYNTAX ERROR!!!')).toHaveLength(16);
    expect(cases.filter((c) => c.detail === undefined).length).toBeGreaterThan(5);
  });

  describe.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    it('yields marker, kind, line and message', () => {
      const facets = parseErrorFacets(c.body, MARKERS);
      expect(facets).not.toBeNull();
      expect(facets!.source).toBe('debug');
      expect(facets!.marker).toBe(c.marker);
      expect(facets!.kind).toBe(c.debugKind);
      expect(facets!.line).toBe(c.debugLine);
      // Without a detail the message is what the display shows: the kind's label.
      expect(facets!.message).toBe(c.detail ?? c.label);
    });

    it('judges a display-only port output at every level', () => {
      const close = displayActual(c);
      expectFail(judge(c, 'exact', close), 'output');
      expectPass(judge(c, 'kind+line+message', close), 'kind+line+message');
      expectFail(judge(c, 'kind+line+message', displayActual(c, { message: UNRELATED })), 'message');

      const wrongLine = displayActual(c, { line: c.debugLine + 1, message: UNRELATED });
      expectPass(judge(c, 'kind+line', displayActual(c, { message: UNRELATED })), 'kind+line');
      expectFail(judge(c, 'kind+line', wrongLine), 'line');

      const wrongKind = displayActual(c, { label: otherKind(c).label, message: UNRELATED, line: c.debugLine + 1 });
      expectPass(judge(c, 'kind', wrongLine), 'kind');
      expectFail(judge(c, 'kind', wrongKind), 'kind');

      expectPass(judge(c, 'any-error', wrongKind), 'any-error');
      const otherMarker = MARKERS.find((m) => m !== c.marker)!;
      expectPass(judge(c, 'any-error', displayActual(c, { marker: otherMarker })), 'any-error');
      expectFail(judge(c, 'any-error', 'Hello World\n'), 'marker');
      expectFail(judge(c, 'kind', displayActual(c, { marker: otherMarker })), 'marker');
    });

    it('judges a structured response error at every level', () => {
      expectFail(judge(c, 'exact', '', structuredError(c)), 'output');
      expectPass(judge(c, 'kind+line+message', '', structuredError(c)), 'kind+line+message');
      expectFail(judge(c, 'kind+line+message', '', structuredError(c, { message: UNRELATED })), 'message');

      expectPass(judge(c, 'kind+line', '', structuredError(c, { message: UNRELATED })), 'kind+line');
      expectFail(judge(c, 'kind+line', '', structuredError(c, { line: c.debugLine + 1 })), 'line');

      // A port may name the kind by MiniJinja's display label rather than the Rust variant, in its own case style.
      expectPass(judge(c, 'kind', '', structuredError(c, { kind: c.label, line: 0 })), 'kind');
      const shouting = c.label.toUpperCase().replace(/ /g, '_');
      expectPass(judge(c, 'kind+line+message', '', structuredError(c, { kind: shouting })), 'kind+line+message');
      expectFail(judge(c, 'kind', '', structuredError(c, { kind: otherKind(c).debug })), 'kind');

      expectPass(judge(c, 'any-error', '', structuredError(c, { kind: otherKind(c).debug, line: 999, message: UNRELATED })), 'any-error');
      expectFail(judge(c, 'any-error', 'Hello World\n'), 'marker');
    });
  });
});
