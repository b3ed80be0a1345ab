import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { messageSimilarity, messageWords } from '../../harness/judge/similarity.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const snapshotsDir = path.resolve(repoRoot, '../shared/suites/minijinja/minijinja/tests/snapshots');

// The default threshold of `compare.similarity`.
const THRESHOLD = 0.6;

describe('messageWords', () => {
  it('lower-cases, splits identifiers and drops quotes and punctuation', () => {
    expect(messageWords('unknown keyword argument `missingFunction`!')).toEqual(['unknown', 'keyword', 'argument', 'missing', 'function']);
    expect(messageWords("'missing_function' is unknown")).toEqual(['missing', 'function', 'is', 'unknown']);
    expect(messageWords('HTTPServer failed')).toEqual(['http', 'server', 'failed']);
  });

  it('keeps operators as words but not hyphens inside words', () => {
    expect(messageWords('unable to calculate 10 // 0')).toEqual(['unable', 'to', 'calculate', '10', '//', '0']);
    expect(messageWords('tried to use + operator')).toContain('+');
    expect(messageWords('non-existing template')).toEqual(['non', 'existing', 'template']);
  });
});

describe('messageSimilarity', () => {
  it('is 1 for messages equal up to case, quoting and punctuation', () => {
    expect(messageSimilarity('unexpected `.`, expected in', "Unexpected '.', expected 'in'")).toBe(1);
    expect(messageSimilarity('block \'foo\' defined twice', 'block "foo" defined twice.')).toBe(1);
  });

  it('is symmetric and within 0..1', () => {
    const a = 'tried to use + operator on unsupported types sequence and number';
    const b = 'unsupported operand types for +: sequence and number';
    expect(messageSimilarity(a, b)).toBe(messageSimilarity(b, a));
    expect(messageSimilarity(a, b)).toBeGreaterThan(0);
    expect(messageSimilarity(a, b)).toBeLessThan(1);
    expect(messageSimilarity('', '')).toBe(1);
    expect(messageSimilarity('something', '')).toBe(0);
  });

  // Rust original → what a Go or Python port plausibly says.
  const rewordings: Array<[string, string]> = [
    ['number is not iterable', 'value of type number is not iterable'],
    ['number is not iterable', "'int' object is not iterable"],
    ['unknown keyword argument `c`', 'unexpected keyword argument "c"'],
    ['cannot super outside of block', 'cannot call super() outside of a block'],
    ['tried to use + operator on unsupported types sequence and number', 'unsupported operand types for +: sequence and number'],
    ['missing_function is unknown', 'unknown function missing_function'],
    ["block 'foo' defined twice", 'block "foo" is defined more than once'],
    ['recursion limit exceeded', 'maximum recursion depth exceeded'],
    ['invalid integer (too large)', 'integer too large'],
    ["tried to include non-existing template 'missing_template.txt'", 'template "missing_template.txt" does not exist'],
    ['unexpected end of input', 'unexpected EOF'],
    ['block tags in macros are not allowed', 'block tags are not allowed inside macros'],
    ["Required block 'body' not found", 'required block "body" was not found'],
  ];
  it.each(rewordings)('a port rewording scores at least the default threshold: %s ~ %s', (rust, port) => {
    expect(messageSimilarity(rust, port)).toBeGreaterThanOrEqual(THRESHOLD);
  });

  const unrelated: Array<[string, string]> = [
    ['cannot super outside of block', 'division by zero'],
    ['unexpected end of input', 'block tags in macros are not allowed'],
    ['undefined value', 'unknown filter'],
    ['recursion limit exceeded', 'strings can only be multiplied with integers'],
    ['unexpected character', 'invalid float'],
  ];
  it.each(unrelated)('unrelated messages score below the default threshold: %s / %s', (a, b) => {
    expect(messageSimilarity(a, b)).toBeLessThan(THRESHOLD);
  });

  it('tells a + error from a - error apart, unlike a measure that drops operators', () => {
    const plus = 'tried to use + operator on unsupported types sequence and number';
    const minus = 'tried to use - operator on unsupported types sequence and number';
    expect(messageSimilarity(plus, minus)).toBeLessThan(1);
  });

  it('has a known limit: a rewording that shares almost no words scores low', () => {
    // Kind and line still have to match, so this fails on `message` only at kind+line+message.
    expect(messageSimilarity('unexpected end of string', 'unterminated string')).toBeLessThan(THRESHOLD);
  });
});

describe.skipIf(!fs.existsSync(snapshotsDir))('messageSimilarity on MiniJinja error messages', () => {
  function displayMessages(): string[] {
    const out = new Set<string>();
    for (const file of fs.readdirSync(snapshotsDir)) {
      const text = fs.readFileSync(path.join(snapshotsDir, file), 'utf8');
      const line = text.split('\n').find((l) => / \(in [^()]*:\d+\)$/.test(l) && !l.startsWith('caused by:'));
      if (!line || !/^!!!/m.test(text)) continue;
      const head = line.replace(/ \(in [^()]*:\d+\)$/, '');
      const colon = head.indexOf(': ');
      out.add(colon < 0 ? head : head.slice(colon + 2));
    }
    return [...out];
  }

  it('scores most pairs of different messages below the default threshold', () => {
    const messages = displayMessages();
    expect(messages.length).toBeGreaterThan(40);
    let pairs = 0;
    let high = 0;
    for (let i = 0; i < messages.length; i++) {
      for (let j = i + 1; j < messages.length; j++) {
        pairs++;
        if (messageSimilarity(messages[i]!, messages[j]!) >= THRESHOLD) high++;
      }
    }
    // What scores high are siblings of one template ("bool is not iterable" / "number is not iterable").
    expect(high / pairs).toBeLessThan(0.03);
  });
});
