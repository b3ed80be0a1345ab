import { describe, expect, it } from 'vitest';
import type { MatchLevel, NormalizeRule } from '../../harness/config/types.js';
import { judgeCase, type JudgeArgs } from '../../harness/judge/judge.js';
import type { CaseVerdict } from '../../harness/judge/types.js';

const MARKERS = ['!!!ERROR!!!', '!!!SYNTAX ERROR!!!'];

function judge(expected: string, actual: string, more: Partial<JudgeArgs> = {}): CaseVerdict {
  return judgeCase({
    expected,
    actual,
    level: 'kind+line+message',
    markers: MARKERS,
    similarity: 0.6,
    normalize: [],
    protectedCase: false,
    ...more,
  });
}

function failure(verdict: CaseVerdict): Extract<CaseVerdict, { pass: false }> {
  if (verdict.pass) throw new Error(`expected a failure, got a pass (${verdict.how})`);
  return verdict;
}

const SYNTAX_BODY = `!!!SYNTAX ERROR!!!

Error {
    kind: SyntaxError,
    detail: "unexpected end of input, expected end of block",
    name: "x.txt",
    line: 3,
}

syntax error: unexpected end of input, expected end of block (in x.txt:3)
----------------------------------- x.txt ------------------------------------
   3 > {% if true %}
`;

const UNDEFINED_BODY = `!!!ERROR!!!

Error {
    kind: UndefinedError,
    name: "u.txt",
    line: 1,
}

undefined value (in u.txt:1)
`;

describe('ordinary output', () => {
  it('passes exactly when equal by insta rules: trailing whitespace and CRLF ignored', () => {
    expect(judge('a\nb\n', 'a\r\nb   \n\n\t')).toEqual({ pass: true, how: 'exact' });
  });

  it('trims U+0085 at the end like Rust, but not U+FEFF', () => {
    expect(judge('a\n', 'a\u0085').pass).toBe(true);
    expect(judge('a\n', 'a\ufeff').pass).toBe(false);
  });

  it('does not ignore trailing spaces inside the text', () => {
    expect(failure(judge('a\nb', 'a  \nb')).facet).toBe('output');
  });

  it("accepts a difference in leading newlines, as insta's legacy rule does", () => {
    expect(judge('\n\nx', '\n\n\nx')).toEqual({ pass: true, how: 'exact' });
    expect(judge('---\nx\n', 'x\n')).toEqual({ pass: true, how: 'exact' });
  });

  it('passes as normalized when only the configured noise differs', () => {
    const normalize: NormalizeRule[] = [{ pattern: '0x[0-9a-f]+', replacement: '[ADDR]' }];
    expect(judge('object at 0x1234\n', 'object at 0xbeef\n', { normalize })).toEqual({ pass: true, how: 'normalized' });
  });

  it('fails with facet output, a one-line reason and a diff that shows the invisible difference', () => {
    const verdict = failure(judge('one\ntwo\nthree\n', 'one\ntwo\t\nthree\n'));
    expect(verdict.facet).toBe('output');
    expect(verdict.reason).toBe('output: line 2 differs: expected "two", got "two\\t"');
    expect(verdict.diff).toContain('-two\n+two→');
    expect(verdict.level).toBeUndefined();
  });

  it('fails when an error is printed where output was expected', () => {
    const verdict = failure(judge('Hello\n', '!!!ERROR!!!\n\nundefined value (in x.txt:1)\n', { level: 'any-error' }));
    expect(verdict.facet).toBe('output');
  });
});

describe('error snapshots', () => {
  const display = (kind: string, message: string, line: number, marker = '!!!SYNTAX ERROR!!!'): string =>
    `${marker}\n\n${kind}: ${message} (in x.txt:${line})\n`;

  it('at exact, compares the whole text: a port display line does not match', () => {
    const verdict = failure(judge(SYNTAX_BODY, display('syntax error', 'unexpected end of input, expected end of block', 3), { level: 'exact' }));
    expect(verdict.facet).toBe('output');
    expect(verdict.level).toBe('exact');
  });

  it('passes an exact copy as exact whatever the level', () => {
    expect(judge(SYNTAX_BODY, SYNTAX_BODY, { level: 'kind' })).toEqual({ pass: true, how: 'exact' });
  });

  it('passes a display-only port output at kind+line+message, saying how and at which level', () => {
    const verdict = judge(SYNTAX_BODY, display('syntax error', 'unexpected end of input; expected end of block', 3));
    expect(verdict).toMatchObject({ pass: true, how: 'fuzzy', level: 'kind+line+message', similarity: 1 });
    if (verdict.pass) {
      expect(verdict.expected).toMatchObject({ source: 'debug', kind: 'SyntaxError', line: 3 });
      expect(verdict.actual).toMatchObject({ source: 'display', kind: 'syntax error', line: 3 });
    }
  });

  it('fails on the line, naming both lines', () => {
    const verdict = failure(judge(SYNTAX_BODY, display('syntax error', 'unexpected end of input, expected end of block', 4)));
    expect(verdict.facet).toBe('line');
    expect(verdict.reason).toBe('line: expected 3, got 4');
    expect(verdict.diff).toContain('+syntax error: unexpected end of input, expected end of block (in x.txt:4)');
  });

  it('fails on the kind before looking at the line', () => {
    const verdict = failure(judge(SYNTAX_BODY, display('invalid operation', 'unexpected end of input', 9), { level: 'kind' }));
    expect(verdict.facet).toBe('kind');
    expect(verdict.reason).toBe('kind: expected SyntaxError, got invalid operation');
  });

  it('names every name of the expected kind when the display label differs from the Debug kind', () => {
    const verdict = failure(judge(UNDEFINED_BODY, '!!!ERROR!!!\n\nunknown filter: x (in u.txt:1)\n', { level: 'kind' }));
    expect(verdict.reason).toBe('kind: expected UndefinedError / undefined value, got unknown filter');
  });

  it('fails on an unrelated message with the similarity in the reason', () => {
    const verdict = failure(judge(SYNTAX_BODY, display('syntax error', 'division by zero', 3)));
    expect(verdict.facet).toBe('message');
    expect(verdict.similarity).toBeLessThan(0.6);
    expect(verdict.reason).toMatch(/^message: similarity 0\.\d+ below 0\.6: expected "unexpected end of input, expected end of block", got "division by zero"$/);
  });

  it('respects the configured similarity threshold', () => {
    const actual = display('syntax error', 'unexpected end of template', 3);
    expect(judge(SYNTAX_BODY, actual, { similarity: 0.3 }).pass).toBe(true);
    expect(judge(SYNTAX_BODY, actual, { similarity: 0.95 }).pass).toBe(false);
  });

  it('ignores the message at kind+line and the line at kind', () => {
    const wrongMessage = display('syntax error', 'division by zero', 3);
    expect(judge(SYNTAX_BODY, wrongMessage, { level: 'kind+line' })).toMatchObject({ pass: true, how: 'fuzzy', level: 'kind+line' });
    const wrongLine = display('syntax error', 'division by zero', 8);
    expect(judge(SYNTAX_BODY, wrongLine, { level: 'kind' })).toMatchObject({ pass: true, how: 'fuzzy', level: 'kind' });
  });

  it('fails on the marker when the port renders output instead of an error', () => {
    const verdict = failure(judge(SYNTAX_BODY, 'rendered text\n', { level: 'any-error' }));
    expect(verdict.facet).toBe('marker');
    expect(verdict.reason).toBe('marker: expected !!!SYNTAX ERROR!!!, got ordinary output');
  });

  it('fails on the marker when the port reports the other kind of error', () => {
    const verdict = failure(judge(SYNTAX_BODY, display('syntax error', 'unexpected end of input', 3, '!!!ERROR!!!'), { level: 'kind' }));
    expect(verdict.facet).toBe('marker');
    expect(verdict.reason).toBe('marker: expected !!!SYNTAX ERROR!!!, got !!!ERROR!!!');
  });

  it('at any-error accepts any error, even with another marker', () => {
    expect(judge(SYNTAX_BODY, '!!!ERROR!!!\nsomething else\n', { level: 'any-error' })).toMatchObject({ pass: true, how: 'fuzzy', level: 'any-error' });
  });

  it('matches a Debug kind against the display label of an error with no detail', () => {
    expect(judge(UNDEFINED_BODY, '!!!ERROR!!!\n\nundefined value (in u.txt:1)\n')).toMatchObject({ pass: true, how: 'fuzzy', similarity: 1 });
  });
});

describe('structured errors from the response', () => {
  it('prefers the response error over the output text', () => {
    const verdict = judge(SYNTAX_BODY, '!!!SYNTAX ERROR!!!\n\nsyntax error: whatever (in x.txt:99)\n', {
      actualError: { kind: 'SyntaxError', message: 'unexpected end of input, expected end of block', line: 3 },
    });
    expect(verdict).toMatchObject({ pass: true, how: 'fuzzy', actual: { source: 'response', marker: '!!!SYNTAX ERROR!!!', line: 3 } });
  });

  it('fills facets the response left out from the output text', () => {
    const verdict = judge(SYNTAX_BODY, '!!!SYNTAX ERROR!!!\n\nsyntax error: unexpected end of input (in x.txt:3)\n', {
      actualError: { kind: 'SyntaxError' },
    });
    expect(verdict).toMatchObject({ pass: true, actual: { source: 'response', kind: 'SyntaxError', line: 3, message: 'unexpected end of input' } });
  });

  it('counts a response error as an error even when the output has no marker', () => {
    const error = { kind: 'syntax_error', message: 'unexpected end of input', line: 3 };
    expect(judge(SYNTAX_BODY, '', { actualError: error, level: 'any-error' }).pass).toBe(true);
    expect(judge(SYNTAX_BODY, '', { actualError: error }).pass).toBe(true);
    expect(failure(judge(SYNTAX_BODY, '', { actualError: { ...error, line: 2 } })).reason).toBe('line: expected 3, got 2');
  });

  it('fails on the message when the response has none and the expected error has a detail', () => {
    const verdict = failure(judge(SYNTAX_BODY, '', { actualError: { kind: 'SyntaxError', line: 3 } }));
    expect(verdict.facet).toBe('message');
    expect(verdict.reason).toContain('got none');
  });

  it('accepts a response with no message for an error that has no detail', () => {
    expect(judge(UNDEFINED_BODY, '', { actualError: { kind: 'UndefinedError', line: 1 } })).toMatchObject({ pass: true, similarity: 1 });
  });

  it('applies normalisation rules to the response message too', () => {
    const body = '!!!ERROR!!!\n\ninvalid operation: cannot open /home/ana/x.txt (in x.txt:1)\n';
    const normalize = [{ pattern: '/home/\\w+', replacement: '~' }];
    const verdict = judge(body, '', { normalize, similarity: 1, actualError: { kind: 'invalid operation', message: 'cannot open /home/bo/x.txt', line: 1 } });
    expect(verdict).toMatchObject({ pass: true, similarity: 1 });
  });
});

describe('a marker with nothing to compare', () => {
  it('falls back to comparing the text and says why', () => {
    const verdict = failure(judge('!!!ERROR!!!\n', '!!!ERROR!!!\n\nsyntax error: x (in a.txt:1)\n'));
    expect(verdict.facet).toBe('output');
    expect(verdict.reason).toContain('no Debug struct or display line');
  });
});

describe('protected cases and overrides', () => {
  const reworded = '!!!SYNTAX ERROR!!!\n\nsyntax error: unexpected end of input (in x.txt:3)\n';

  it('judges a protected case exactly whatever the level', () => {
    for (const level of ['kind+line+message', 'kind', 'any-error'] as MatchLevel[]) {
      const verdict = failure(judge(SYNTAX_BODY, reworded, { level, protectedCase: true }));
      expect(verdict.facet).toBe('output');
      expect(verdict.level).toBe('exact');
    }
  });

  it('still applies normalisation rules to a protected case', () => {
    const normalize = [{ pattern: '\\d+ms', replacement: '[T]' }];
    expect(judge('took 5ms\n', 'took 7ms\n', { normalize, protectedCase: true })).toEqual({ pass: true, how: 'normalized' });
  });

  it('ignores an override on a protected case', () => {
    const override = { body: 'Go prints this\n', reason: 'float formatting' };
    expect(judge('Rust prints this\n', 'Go prints this\n', { override, protectedCase: true }).pass).toBe(false);
  });

  it('compares against the override body and reports the pass as an override', () => {
    const override = { body: 'Go prints this\n', reason: 'float formatting' };
    expect(judge('Rust prints this\n', 'Go prints this\n', { override })).toEqual({ pass: true, how: 'override' });
  });

  it('fails against the override, not the snapshot, and says so', () => {
    const override = { body: 'Go prints this\n', reason: 'float formatting' };
    const verdict = failure(judge('Rust prints this\n', 'Rust prints this\n', { override }));
    expect(verdict.reason).toBe('output: line 1 differs: expected "Go prints this", got "Rust prints this" (against the override)');
    expect(verdict.diff).toContain('--- override');
  });

  it('reports a fuzzy match against an error override as an override with its level', () => {
    const override = { body: SYNTAX_BODY, reason: 'the port reports errors in another form' };
    const verdict = judge('completely different\n', reworded, { override, level: 'kind+line' });
    expect(verdict).toMatchObject({ pass: true, how: 'override', level: 'kind+line' });
  });
});
