import { didYouMean } from './did-you-mean.js';
import { MATCH_LEVELS, type MatchLevel } from './types.js';

/**
 * Small readers for validating a parsed YAML tree. Each takes the value, its key path
 * (`phases[2].cases`) and a Problems collector; a bad value records one line and yields
 * undefined, so validation goes on and every problem in the file is reported at once.
 */
export class Problems {
  readonly lines: string[] = [];
  constructor(private readonly file: string) {}

  add(path: string, message: string): void {
    this.lines.push(`${this.file}: ${path ? `${path}: ` : ''}${message}`);
  }
}

export type Mapping = Record<string, unknown>;

export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** How a value looks in a message: scalars verbatim (quoted), containers by kind. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function isMapping(v: unknown): v is Mapping {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A mapping whose keys are all in `allowed`; unknown keys are reported with a near miss. */
export function mapping(v: unknown, path: string, p: Problems, allowed: readonly string[]): Mapping | undefined {
  if (!isMapping(v)) {
    p.add(path, `expected a mapping (${allowed.join(', ')}), got ${show(v)}`);
    return undefined;
  }
  for (const key of Object.keys(v)) {
    if (allowed.includes(key)) continue;
    const near = didYouMean(key, allowed);
    p.add(child(path, key), near ? `unknown key; did you mean "${near}"?` : `unknown key (known keys: ${allowed.join(', ')})`);
  }
  return v;
}

/** Null counts as absent, so `timeout:` with no value means "use the default". */
export function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

export function string(v: unknown, path: string, p: Problems): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v;
  p.add(path, typeof v === 'string' ? 'must not be empty' : `expected a string, got ${show(v)}`);
  return undefined;
}

/** A string or a list of strings, as a list; `nonEmpty` rejects an empty list. */
export function stringList(v: unknown, path: string, p: Problems, nonEmpty: boolean): string[] | undefined {
  if (typeof v === 'string') return string(v, path, p) === undefined ? undefined : [v];
  if (!Array.isArray(v)) {
    p.add(path, `expected a string or a list of strings, got ${show(v)}`);
    return undefined;
  }
  if (nonEmpty && v.length === 0) {
    p.add(path, 'the list is empty; give at least one entry');
    return undefined;
  }
  let ok = true;
  v.forEach((item, i) => {
    if (string(item, child(path, i), p) === undefined) ok = false;
  });
  return ok ? (v as string[]) : undefined;
}

export function level(v: unknown, path: string, p: Problems): MatchLevel | undefined {
  if (typeof v === 'string' && (MATCH_LEVELS as readonly string[]).includes(v)) return v as MatchLevel;
  p.add(path, `${show(v)} is not a level (${MATCH_LEVELS.join(', ')})`);
  return undefined;
}

export function oneOf<T extends string>(v: unknown, path: string, p: Problems, what: string, values: readonly T[]): T | undefined {
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  p.add(path, `${show(v)} is not a ${what} (${values.join(', ')})`);
  return undefined;
}
