import fs from 'node:fs';
import path from 'node:path';
import type { ToolResult } from './types.js';
import type { WorkspaceGuard } from './workspace-guard.js';

/** The file tools: read, write, edit. Paths go through the guard before any I/O. */

export const READ_DEFAULT_LINES = 2000;
/** Above this a read is cut and the model is told how to continue. */
export const READ_MAX_CHARS = 60_000;

const ok = (content: string): ToolResult => ({ content, isError: false });
const fail = (content: string): ToolResult => ({ content, isError: true });

function errnoMessage(e: unknown, shown: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${shown}: no such file`;
  if (code === 'EISDIR') return `${shown} is a directory`;
  if (code === 'EACCES' || code === 'EPERM') return `${shown}: permission denied`;
  return `${shown}: ${(e as Error).message}`;
}

function listDirectory(abs: string, shown: string): ToolResult {
  const entries = fs.readdirSync(abs, { withFileTypes: true })
    .map((d) => (d.isDirectory() ? `${d.name}/` : d.name))
    .sort();
  return ok(`${shown} is a directory with ${entries.length} entries:\n${entries.join('\n')}`);
}

export function readTool(guard: WorkspaceGuard, args: { path: string; offset?: number; limit?: number }): ToolResult {
  const g = guard.forRead(args.path);
  if (!g.ok) return fail(g.message);
  const shown = guard.display(g.path);
  try {
    if (fs.statSync(g.path).isDirectory()) return listDirectory(g.path, shown);
    const buf = fs.readFileSync(g.path);
    if (buf.subarray(0, 8192).includes(0)) return fail(`${shown} is a binary file (${buf.length} bytes); not shown`);
    const text = buf.toString('utf8');
    if (text === '') return ok(`(${shown} is empty)`);
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const start = (args.offset ?? 1) - 1;
    if (start >= lines.length) return fail(`${shown} has ${lines.length} lines; offset ${args.offset} is past the end`);
    const limit = args.limit ?? READ_DEFAULT_LINES;
    let end = Math.min(lines.length, start + limit);
    let body = lines.slice(start, end).join('\n');
    if (body.length > READ_MAX_CHARS) {
      let chars = 0;
      end = start;
      while (end < lines.length && chars + lines[end]!.length + 1 <= READ_MAX_CHARS) chars += lines[end++]!.length + 1;
      if (end === start) return ok(`${lines[start]!.slice(0, READ_MAX_CHARS)}\n[line ${start + 1} is longer than ${READ_MAX_CHARS} characters; cut]`);
      body = lines.slice(start, end).join('\n');
    }
    if (start === 0 && end === lines.length) return ok(body);
    const more = end < lines.length ? `; continue with offset=${end + 1}` : '';
    return ok(`${body}\n[lines ${start + 1}-${end} of ${lines.length} in ${shown}${more}]`);
  } catch (e) {
    return fail(errnoMessage(e, shown));
  }
}

export function writeTool(guard: WorkspaceGuard, args: { path: string; content: string }): ToolResult {
  const g = guard.forWrite(args.path);
  if (!g.ok) return fail(g.message);
  const shown = guard.display(g.path);
  try {
    fs.mkdirSync(path.dirname(g.path), { recursive: true });
    fs.writeFileSync(g.path, args.content);
    return ok(`wrote ${Buffer.byteLength(args.content)} bytes to ${shown}`);
  } catch (e) {
    return fail(errnoMessage(e, shown));
  }
}

function countOccurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) n++;
  return n;
}

export function editTool(guard: WorkspaceGuard, args: { path: string; old_text: string; new_text: string }): ToolResult {
  const g = guard.forWrite(args.path);
  if (!g.ok) return fail(g.message);
  const shown = guard.display(g.path);
  try {
    const text = fs.readFileSync(g.path, 'utf8');
    const count = countOccurrences(text, args.old_text);
    if (count === 0) {
      return fail(`old_text was not found in ${shown} (0 matches); read the file and copy the text exactly, whitespace included`);
    }
    if (count > 1) {
      return fail(`old_text matches ${count} times in ${shown}; it must match exactly once: include more surrounding lines`);
    }
    const at = text.indexOf(args.old_text);
    // Splice by index: String.replace would interpret `$&` and friends in new_text.
    fs.writeFileSync(g.path, text.slice(0, at) + args.new_text + text.slice(at + args.old_text.length));
    const line = text.slice(0, at).split('\n').length;
    return ok(`edited ${shown} at line ${line}`);
  } catch (e) {
    return fail(errnoMessage(e, shown));
  }
}
