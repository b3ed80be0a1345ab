import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export type Parsed<O extends Options> =
  | { ok: true; values: ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>['values']; positionals: string[] }
  | { ok: false; message: string };

/** Strict flag parsing: an unknown flag or a missing value is a usage error (exit 2), never a crash. */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O): Parsed<O> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    return { ok: true, values, positionals };
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, '') : String(err);
    return { ok: false, message: `porter ${command}: ${message}; see \`porter ${command} --help\`` };
  }
}

/** Parses a positive integer flag value; null when absent, a message when invalid. */
export function positiveInt(flag: string, value: string | undefined): { ok: true; value: number | undefined } | { ok: false; message: string } {
  if (value === undefined) return { ok: true, value: undefined };
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) return { ok: false, message: `${flag} needs a positive whole number, got "${value}"` };
  return { ok: true, value: n };
}

/**
 * Lets a string flag stand alone (`--json` at the end or before another flag) by
 * giving it the value `-`, which commands read as "stdout".
 */
export function defaultFlagValue(argv: string[], flag: string, value = '-'): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    out.push(arg);
    if (arg === flag) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-')) out.push(value);
    }
  }
  return out;
}
