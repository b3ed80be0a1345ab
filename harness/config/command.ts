import { parse } from 'shell-quote';

/**
 * A command in the config: a shell-style string (`python3 adapter.py --fast`, quotes and
 * backslashes as in sh) or a list of strings. Porter runs it without a shell, so anything
 * a shell would have to interpret — pipes, redirections, `&&`, globs, `$VARS`, comments —
 * is rejected with a pointer to `sh -c "..."` rather than silently passed on as text.
 */
export type CommandResult = { ok: true; argv: string[] } | { ok: false; message: string };

export function readCommand(v: unknown): CommandResult {
  if (Array.isArray(v)) {
    if (v.length === 0) return { ok: false, message: 'the command list is empty' };
    const bad = v.findIndex((a) => typeof a !== 'string');
    if (bad >= 0) return { ok: false, message: `item ${bad} of the command list is not a string` };
    if (v[0] === '') return { ok: false, message: 'the program name (first item) is empty' };
    return { ok: true, argv: [...(v as string[])] };
  }
  if (typeof v !== 'string') return { ok: false, message: 'expected a command string or a list of strings' };

  const tokens = parse(v, (name) => ({ op: `$${name}` }) as unknown as string);
  if (tokens.length === 0) return { ok: false, message: 'the command is empty' };
  const argv: string[] = [];
  for (const t of tokens) {
    if (typeof t === 'string') {
      argv.push(t);
      continue;
    }
    const what = 'comment' in t ? '# comment' : 'pattern' in t ? `glob ${t.pattern}` : t.op;
    const suggestion = `wrap it as sh -c ${JSON.stringify(v)} (or quote the character)`;
    return { ok: false, message: `"${what}" needs a shell, and Porter runs the command without one; ${suggestion}` };
  }
  if (argv[0] === '') return { ok: false, message: 'the program name is empty' };
  return { ok: true, argv };
}

/** The argv of a command, or null when it is not a valid command (see readCommand for why). */
export function parseCommand(v: unknown): string[] | null {
  const r = readCommand(v);
  return r.ok ? r.argv : null;
}
