import { describe, expect, it } from 'vitest';
import {
  errorMarkerOf,
  facetsFromResponse,
  isErrorSnapshot,
  kindsMatch,
  parseErrorFacets,
  unescapeRust,
} from '../../harness/judge/error-facets.js';
import type { ErrorFacets } from '../../harness/judge/types.js';

const MARKERS = ['!!!ERROR!!!', '!!!SYNTAX ERROR!!!'];

// The shape of a MiniJinja body: marker, Debug, display, excerpt, `caused by:` lines.
const MINIJINJA_BODY = `!!!ERROR!!!

Error {
    kind: BadInclude,
    detail: "error in \\"a_plus_b.txt\\"",
    name: "err_in_include.txt",
    line: 2,
    source: Error {
        kind: InvalidOperation,
        detail: "tried to use + operator on unsupported types number and sequence",
        name: "a_plus_b.txt",
        line: 1,
    },
}

could not render include: error in "a_plus_b.txt" (in err_in_include.txt:2)
----------------------------- err_in_include.txt ------------------------------
   1 | {% for a in seq %}
   2 >   This fails in the include: {% include "a_plus_b.txt" %}
     i                                 ^^^^^^^^^^^^^^^^^^^^^^ could not render include
~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
Referenced variables: {
    a: 1,
}
-------------------------------------------------------------------------------

caused by: invalid operation: tried to use + operator on unsupported types number and sequence (in a_plus_b.txt:1)
`;

describe('error markers', () => {
  it('recognises a body whose first line is a marker', () => {
    expect(errorMarkerOf('!!!SYNTAX ERROR!!!\n\nError {}', MARKERS)).toBe('!!!SYNTAX ERROR!!!');
    expect(isErrorSnapshot('!!!ERROR!!!\n', MARKERS)).toBe(true);
  });

  it('skips leading blank lines and surrounding spaces', () => {
    expect(errorMarkerOf('\n  \n  !!!ERROR!!!  \nrest', MARKERS)).toBe('!!!ERROR!!!');
  });

  it('does not treat a marker further down the output as an error', () => {
    expect(isErrorSnapshot('Hello\n!!!ERROR!!!\n', MARKERS)).toBe(false);
  });

  it('needs the whole line to be the marker', () => {
    expect(isErrorSnapshot('!!!ERROR!!! but more\n', MARKERS)).toBe(false);
    expect(isErrorSnapshot('', MARKERS)).toBe(false);
  });

  it('uses the configured markers only', () => {
    expect(isErrorSnapshot('!!!ERROR!!!\n', ['ERROR:'])).toBe(false);
    expect(errorMarkerOf('ERROR:\nboom (in x:1)', ['ERROR:'])).toBe('ERROR:');
  });
});

describe('parseErrorFacets', () => {
  it('returns null for ordinary output', () => {
    expect(parseErrorFacets('Hello World\n', MARKERS)).toBeNull();
  });

  it('reads the multi-line Debug struct, unescaping the detail, and skips the nested source', () => {
    const facets = parseErrorFacets(MINIJINJA_BODY, MARKERS);
    expect(facets).toEqual({
      marker: '!!!ERROR!!!',
      source: 'debug',
      kind: 'BadInclude',
      kindAliases: ['could not render include'],
      line: 2,
      message: 'error in "a_plus_b.txt"',
    });
  });

  it('reads a one-line Debug struct', () => {
    const facets = parseErrorFacets('!!!SYNTAX ERROR!!!\n\nError { kind: SyntaxError, detail: "unexpected end of input", line: 1 }\n', MARKERS);
    expect(facets).toMatchObject({ source: 'debug', kind: 'SyntaxError', line: 1, message: 'unexpected end of input' });
  });

  it('takes the message from the display line when the Debug struct has no detail', () => {
    const body = '!!!ERROR!!!\n\nError {\n    kind: UndefinedError,\n    name: "x.txt",\n    line: 3,\n}\n\nundefined value (in x.txt:3)\n';
    expect(parseErrorFacets(body, MARKERS)).toEqual({
      marker: '!!!ERROR!!!',
      source: 'debug',
      kind: 'UndefinedError',
      kindAliases: ['undefined value'],
      line: 3,
      message: 'undefined value',
    });
  });

  it('leaves the message empty for a Debug struct alone with no detail', () => {
    const facets = parseErrorFacets('!!!ERROR!!!\nError { kind: UndefinedError, line: 3 }\n', MARKERS);
    expect(facets).toEqual({ marker: '!!!ERROR!!!', source: 'debug', kind: 'UndefinedError', line: 3 });
  });

  it('reads Option-wrapped and path-qualified fields and non-exhaustive structs', () => {
    const body = '!!!ERROR!!!\nError { kind: ErrorKind::InvalidOperation, detail: Some("bad \\u{1b}[0m"), line: Some(7), .. }';
    expect(parseErrorFacets(body, MARKERS)).toMatchObject({ kind: 'InvalidOperation', message: 'bad \u001b[0m', line: 7 });
    const none = parseErrorFacets('!!!ERROR!!!\nError { kind: SyntaxError, detail: None, line: None }', MARKERS);
    expect(none).toEqual({ marker: '!!!ERROR!!!', source: 'debug', kind: 'SyntaxError' });
  });

  it('finds the error struct inside a wrapper such as Err(…)', () => {
    const facets = parseErrorFacets('!!!ERROR!!!\nErr(\n    Error {\n        kind: SyntaxError,\n        detail: "x, y } z",\n        line: 4,\n    },\n)\n', MARKERS);
    expect(facets).toMatchObject({ source: 'debug', kind: 'SyntaxError', message: 'x, y } z', line: 4 });
  });

  it('reads a display-only body', () => {
    expect(parseErrorFacets('!!!SYNTAX ERROR!!!\n\nsyntax error: unexpected end of input (in name.txt:1)\n', MARKERS)).toEqual({
      marker: '!!!SYNTAX ERROR!!!',
      source: 'display',
      kind: 'syntax error',
      line: 1,
      message: 'unexpected end of input',
    });
  });

  it('reads a display line located by `(line N)` or `(at line N)`, as suites without file names print', () => {
    expect(parseErrorFacets('!!!ERROR!!!\n\ndivision by zero: cannot divide 4 by zero (line 3)\n', MARKERS)).toEqual({
      marker: '!!!ERROR!!!',
      source: 'display',
      kind: 'division by zero',
      line: 3,
      message: 'cannot divide 4 by zero',
    });
    expect(parseErrorFacets('!!!ERROR!!!\n\ntype error: bad operand (at line 12)\n', MARKERS)?.line).toBe(12);
  });

  it('keeps parentheses and colons inside the message of a display line', () => {
    const facets = parseErrorFacets('!!!ERROR!!!\ncannot unpack: sequence of wrong length (expected 2, got 3): really (in a.txt:2)\n', MARKERS);
    expect(facets).toMatchObject({ kind: 'cannot unpack', message: 'sequence of wrong length (expected 2, got 3): really', line: 2 });
  });

  it('reads a display line with no detail as the kind label, which is also the message', () => {
    expect(parseErrorFacets('!!!ERROR!!!\nundefined value (in a.txt:1)', MARKERS)).toMatchObject({
      kind: 'undefined value',
      message: 'undefined value',
      line: 1,
    });
  });

  it('treats line 0 in a display location as no line', () => {
    const facets = parseErrorFacets('!!!ERROR!!!\ntemplate not found: nope (in main.txt:0)', MARKERS);
    expect(facets).toEqual({ marker: '!!!ERROR!!!', source: 'display', kind: 'template not found', message: 'nope' });
  });

  it('reads a display line without a location, with no line', () => {
    expect(parseErrorFacets('!!!ERROR!!!\n\ninvalid operation: division by zero\n', MARKERS)).toEqual({
      marker: '!!!ERROR!!!',
      source: 'display',
      kind: 'invalid operation',
      message: 'division by zero',
    });
  });

  it('ignores `caused by:` lines when looking for the display line', () => {
    const body = '!!!ERROR!!!\n\ncaused by: invalid operation: inner (in b.txt:9)\nbad include: outer (in a.txt:2)\n';
    expect(parseErrorFacets(body, MARKERS)).toMatchObject({ kind: 'bad include', message: 'outer', line: 2 });
  });

  it('is marker-only when nothing follows the marker', () => {
    expect(parseErrorFacets('!!!ERROR!!!\n\n', MARKERS)).toEqual({ marker: '!!!ERROR!!!', source: 'marker-only' });
  });
});

describe('facetsFromResponse', () => {
  it('copies the fields the target sent and marks the source', () => {
    expect(facetsFromResponse({ kind: 'SyntaxError', message: 'unexpected EOF', line: 3 }, '!!!SYNTAX ERROR!!!')).toEqual({
      marker: '!!!SYNTAX ERROR!!!',
      source: 'response',
      kind: 'SyntaxError',
      message: 'unexpected EOF',
      line: 3,
    });
  });

  it('drops empty and missing fields', () => {
    expect(facetsFromResponse({ kind: '', message: '' })).toEqual({ source: 'response' });
  });
});

describe('kind comparison', () => {
  const facets = (kind: string, kindAliases?: string[]): ErrorFacets => ({ source: 'display', kind, ...(kindAliases ? { kindAliases } : {}) });

  it('ignores case, spaces and underscores', () => {
    expect(kindsMatch(facets('InvalidOperation'), facets('invalid operation'))).toBe(true);
    expect(kindsMatch(facets('InvalidOperation'), facets('invalid_operation'))).toBe(true);
    expect(kindsMatch(facets('INVALID_OPERATION'), facets('InvalidOperation'))).toBe(true);
  });

  it('tells different kinds apart', () => {
    expect(kindsMatch(facets('InvalidOperation'), facets('syntax error'))).toBe(false);
  });

  it('matches through an alias taken from the display line', () => {
    expect(kindsMatch(facets('UndefinedError', ['undefined value']), facets('undefined value'))).toBe(true);
    expect(kindsMatch(facets('UndefinedError', ['undefined value']), facets('UndefinedError'))).toBe(true);
  });
});

describe('unescapeRust', () => {
  it('undoes the escapes Rust Debug writes', () => {
    expect(unescapeRust('a\\"b\\\\c\\nd\\te\\u{1f600}\\0')).toBe('a"b\\c\nd\te\u{1f600}\0');
  });
});
