import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../harness/reports/html-escape.js';
import { formatCount, visibleControls } from '../../harness/reports/text.js';

describe('formatCount', () => {
  it('groups thousands exactly as toLocaleString("en-US") does', () => {
    const numbers = [0, 1, -1, 12, 999, 1000, -1000, 12_345, 123_456, 1_234_567, -7_654_321, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, -0, 1.5, 2.0005, 1e21, NaN, Infinity];
    for (let i = 0; i < 2000; i++) numbers.push(Math.floor((i * 7919) ** 1.7) * (i % 3 === 0 ? -1 : 1));
    for (const n of numbers) expect([n, formatCount(n)]).toEqual([n, n.toLocaleString('en-US')]);
  });
});

describe('visibleControls and escapeHtml', () => {
  it('return plain text unchanged and still replace what needs it, call after call', () => {
    // The control-character pattern is global: a test before the replace must not leave state behind.
    for (let i = 0; i < 3; i++) {
      expect(visibleControls('test_lexer__lexer@raw.txt')).toBe('test_lexer__lexer@raw.txt');
      expect(visibleControls('a\u0000b\u001b[0m\tc\n')).toBe('a\u2400b\u241b[0m\tc\n');
      expect(visibleControls('lone \ud800 surrogate')).toBe('lone \ufffd surrogate');
      expect(escapeHtml('runtime')).toBe('runtime');
      expect(escapeHtml(`<a href="x">'&'</a>\u0007`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\u2407');
    }
  });
});
