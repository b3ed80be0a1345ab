/**
 * Judging one case: the target's output against the expected snapshot body.
 *
 * Order of checks, first success wins:
 * 1. `exact`: equal by insta's rules (CRLF → LF, Rust `trim_end`, the legacy leading-newline rule);
 * 2. `normalized`: equal after the config's normalisation rules, applied to both sides;
 * 3. `fuzzy`: only for an error snapshot (first non-blank line is a marker) at a level other than
 *    `exact`, comparing facets in order — marker, kind, line, message — as far as the level asks.
 * Facets are read from the rule-normalised texts. The actual's facets come from the response's
 * `error` field, each missing one filled from the output text when that starts with a marker.
 *
 * A response `error` with no marker in the output still counts as an error: the marker facet is
 * then unknown rather than different, and the kind tells syntax and render errors apart.
 *
 * Protected cases are judged at `exact` with no override (normalisation rules still apply: they
 * remove noise such as paths, not behaviour). An override's body replaces the expected output,
 * and a pass against it is `how: 'override'`.
 *
 * A failure names the facet that differed first, a one-line reason starting with that facet
 * (`line: expected 3, got 4`), and the diff of the compared texts.
 */
import type { MatchLevel, NormalizeRule } from '../config/types.js';
import { instaContentsMatch, normalizeSnapshotText } from '../suite/insta-compare.js';
import { firstDifferingLine, quote, visibleDiff } from './diff.js';
import { errorMarkerOf, facetsFromResponse, kindNames, kindsMatch, normalizeKind, parseErrorFacets } from './error-facets.js';
import { applyNormalizeRules, compiledRulesFor } from './normalize.js';
import { messageSimilarity } from './similarity.js';
import type { ErrorFacets, Facet, MatchHow, CaseVerdict, ReportedError } from './types.js';

export interface JudgeArgs {
  /** The snapshot body. */
  expected: string;
  /** The target's output. */
  actual: string;
  /** The structured error from the target's response, when it sent one. */
  actualError?: ReportedError;
  level: MatchLevel;
  markers: string[];
  /** Minimum message similarity (0..1) at `kind+line+message`. */
  similarity: number;
  normalize: NormalizeRule[];
  protectedCase: boolean;
  override?: { body: string; reason: string };
}

export function judgeCase(args: JudgeArgs): CaseVerdict {
  const override = args.protectedCase ? undefined : args.override;
  const level: MatchLevel = args.protectedCase ? 'exact' : args.level;
  const expectedText = override ? override.body : args.expected;
  // Most cases of a healthy port: byte-identical, equal by any rule. Nothing else to work out.
  if (expectedText === args.actual) return { pass: true, how: override ? 'override' : 'exact' };
  const passed = (how: MatchHow): MatchHow => (override ? 'override' : how);

  if (instaContentsMatch(expectedText, args.actual)) return { pass: true, how: passed('exact') };

  const rules = compiledRulesFor(args.normalize);
  const clean = (text: string): string => (rules.length === 0 ? text : applyNormalizeRules(text.replace(/\r\n/g, '\n'), rules));
  const expected = clean(expectedText);
  const actual = clean(args.actual);
  if (rules.length > 0 && instaContentsMatch(expected, actual)) return { pass: true, how: passed('normalized') };

  const shownExpected = normalizeSnapshotText(expected);
  const shownActual = normalizeSnapshotText(actual);
  const fail = (facet: Facet, reason: string, extra: Partial<Extract<CaseVerdict, { pass: false }>> = {}): CaseVerdict => ({
    pass: false,
    facet,
    reason: override ? `${reason} (against the override)` : reason,
    diff: visibleDiff(withNewline(shownExpected), withNewline(shownActual), { expectedLabel: override ? 'override' : 'expected' }),
    ...extra,
  });

  const expectedMarker = errorMarkerOf(expected, args.markers);
  if (expectedMarker === undefined || level === 'exact') {
    return fail('output', outputReason(shownExpected, shownActual), expectedMarker === undefined ? {} : { level });
  }

  const expectedFacets = parseErrorFacets(expected, args.markers)!;
  const actualError = args.actualError && cleanError(args.actualError, clean);
  const actualFacets = actualFacetsOf(actual, args.markers, actualError);
  const facets = { level, expected: expectedFacets, ...(actualFacets ? { actual: actualFacets } : {}) };

  if (!actualFacets) return fail('marker', `marker: expected ${expectedMarker}, got ordinary output`, facets);
  if (level === 'any-error') return { pass: true, how: passed('fuzzy'), ...facets, actual: actualFacets };
  if (actualFacets.marker !== undefined && actualFacets.marker !== expectedMarker) {
    return fail('marker', `marker: expected ${expectedMarker}, got ${actualFacets.marker}`, facets);
  }
  if (expectedFacets.source === 'marker-only') {
    const why = 'the expected error has no Debug struct or display line to compare facets by; compared as text';
    return fail('output', `${why}: ${outputReason(shownExpected, shownActual)}`, facets);
  }

  if (!kindsMatch(expectedFacets, actualFacets)) {
    return fail('kind', `kind: expected ${kindNames(expectedFacets).join(' / ')}, got ${actualFacets.kind ?? 'none'}`, facets);
  }
  if (level === 'kind') return { pass: true, how: passed('fuzzy'), ...facets, actual: actualFacets };

  if (expectedFacets.line !== actualFacets.line) {
    return fail('line', `line: expected ${expectedFacets.line ?? 'none'}, got ${actualFacets.line ?? 'none'}`, facets);
  }
  if (level === 'kind+line') return { pass: true, how: passed('fuzzy'), ...facets, actual: actualFacets };

  const score = messageScore(expectedFacets, actualFacets);
  const similarity = round(score);
  if (score < args.similarity) {
    const show = (m: string | undefined): string => (m === undefined ? 'none' : quote(m));
    return fail('message', `message: similarity ${similarity} below ${args.similarity}: expected ${show(expectedFacets.message)}, got ${show(actualFacets.message)}`, {
      ...facets,
      similarity,
    });
  }
  return { pass: true, how: passed('fuzzy'), ...facets, actual: actualFacets, similarity };
}

/** The actual's facets, or null when it is not an error at all (no marker, no response error). */
function actualFacetsOf(actual: string, markers: readonly string[], error: ReportedError | undefined): ErrorFacets | null {
  const fromText = parseErrorFacets(actual, markers);
  if (!error) return fromText;
  const facets = facetsFromResponse(error, fromText?.marker);
  if (fromText) {
    if (facets.kind === undefined && fromText.kind !== undefined) {
      facets.kind = fromText.kind;
      if (fromText.kindAliases) facets.kindAliases = fromText.kindAliases;
    }
    if (facets.line === undefined && fromText.line !== undefined) facets.line = fromText.line;
    if (facets.message === undefined && fromText.message !== undefined) facets.message = fromText.message;
  }
  return facets;
}

function cleanError(error: ReportedError, clean: (text: string) => string): ReportedError {
  return error.message === undefined ? error : { ...error, message: clean(error.message) };
}

/**
 * A message that is absent or only names the kind (MiniJinja's `undefined value`, an error with
 * no detail) says nothing beyond the kind; two such messages agree.
 */
function isBare(facets: ErrorFacets): boolean {
  const message = facets.message;
  if (message === undefined || message.trim() === '') return true;
  return kindNames(facets).some((kind) => normalizeKind(kind) === normalizeKind(message));
}

function messageScore(expected: ErrorFacets, actual: ErrorFacets): number {
  if (isBare(expected) && isBare(actual)) return 1;
  return messageSimilarity(expected.message ?? '', actual.message ?? '');
}

function outputReason(expected: string, actual: string): string {
  const first = firstDifferingLine(expected, actual);
  // Equal after trimming but not by insta's rules cannot happen; say so rather than invent a line.
  if (!first) return 'output: differs';
  return `output: line ${first.line} differs: expected ${quote(first.expected)}, got ${quote(first.actual)}`;
}

function withNewline(text: string): string {
  return text === '' ? '' : `${text}\n`;
}

/** Two decimals, rounded down so that a score just under the threshold never prints as the threshold. */
function round(x: number): number {
  return Math.floor(x * 100 + 1e-9) / 100;
}
