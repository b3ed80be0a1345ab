import { describe, expect, it } from 'vitest';
import { applyNormalizeRules, compileNormalizeRules, compiledRulesFor } from '../../harness/judge/normalize.js';

function apply(text: string, rules: Array<{ pattern: string; replacement: string }>): string {
  const compiled = compileNormalizeRules(rules);
  if (!compiled.ok) throw new Error(compiled.message);
  return applyNormalizeRules(text, compiled.rules);
}

describe('normalisation rules', () => {
  it('replaces every match, not only the first', () => {
    expect(apply('at 0x7ffd1234 and 0xdeadbeef', [{ pattern: '0x[0-9a-f]+', replacement: '[ADDR]' }])).toBe('at [ADDR] and [ADDR]');
  });

  it('applies rules in order, each to the previous result', () => {
    const rules = [
      { pattern: '/home/\\w+', replacement: '~' },
      { pattern: '~/src', replacement: '[SRC]' },
    ];
    expect(apply('/home/ana/src/lib.rs', rules)).toBe('[SRC]/lib.rs');
  });

  it('supports capture groups in the replacement', () => {
    expect(apply('took 12ms, then 3ms', [{ pattern: '(\\d+)ms', replacement: '[N]ms' }])).toBe('took [N]ms, then [N]ms');
    expect(apply('v1.2.3', [{ pattern: 'v(\\d+)\\.\\d+\\.\\d+', replacement: 'v$1.x' }])).toBe('v1.x');
  });

  it('gives the same result when the same compiled rules are reused (no leftover lastIndex)', () => {
    const rules = compiledRulesFor([{ pattern: 'a', replacement: 'b' }]);
    expect(applyNormalizeRules('aaa', rules)).toBe('bbb');
    expect(applyNormalizeRules('aaa', rules)).toBe('bbb');
  });

  it('reports a bad pattern as a value naming the rule', () => {
    const result = compileNormalizeRules([
      { pattern: 'ok', replacement: '' },
      { pattern: '(unclosed', replacement: '' },
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('compare.normalize[1]');
      expect(result.message).toContain('(unclosed');
    }
  });
});
