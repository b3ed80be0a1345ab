/**
 * Config normalisation rules (`compare.normalize`): regex → replacement, applied globally to
 * both expected and actual text, like insta filters. Patterns are JavaScript regular expressions
 * and replacements use JavaScript's `$1` / `$<name>` / `$&` syntax.
 */
import type { NormalizeRule } from '../config/types.js';

export interface CompiledRule {
  regex: RegExp;
  replacement: string;
}

export type CompileResult = { ok: true; rules: CompiledRule[] } | { ok: false; message: string };

/** Compiles the rules; a bad pattern is a value naming the rule, for config validation to report. */
export function compileNormalizeRules(rules: readonly NormalizeRule[]): CompileResult {
  const compiled: CompiledRule[] = [];
  for (const [index, rule] of rules.entries()) {
    try {
      compiled.push({ regex: new RegExp(rule.pattern, 'g'), replacement: rule.replacement });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return { ok: false, message: `compare.normalize[${index}]: invalid pattern ${JSON.stringify(rule.pattern)} (${why}); fix the regular expression` };
    }
  }
  return { ok: true, rules: compiled };
}

/** Applies the rules in order, each to the result of the previous one. */
export function applyNormalizeRules(text: string, rules: readonly CompiledRule[]): string {
  let out = text;
  for (const rule of rules) {
    rule.regex.lastIndex = 0;
    out = out.replace(rule.regex, rule.replacement);
  }
  return out;
}

// The judge sees the same few rule lists for every case; compiling once per list keeps 10,000-case runs cheap.
const cache = new WeakMap<readonly NormalizeRule[], CompiledRule[]>();

/**
 * Compiled rules for the judge. The config loader validates patterns up front with
 * `compileNormalizeRules`, so a bad pattern here is a bug and throws.
 */
export function compiledRulesFor(rules: readonly NormalizeRule[]): CompiledRule[] {
  const hit = cache.get(rules);
  if (hit) return hit;
  const result = compileNormalizeRules(rules);
  if (!result.ok) throw new Error(result.message);
  cache.set(rules, result.rules);
  return result.rules;
}
