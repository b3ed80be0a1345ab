import fs from 'node:fs';
import { Type } from '@sinclair/typebox';
import { fail, fileError, ok, refused, type AgentTool } from './tool.js';

/** `read {path, offset?, limit?}`: a text file by pages of lines, or a directory's entries. */

export const READ_DEFAULT_LINES = 2000;
/** Above this a read is cut and the model is told how to continue. */
export const READ_MAX_CHARS = 60_000;

const parameters = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'File path, relative to the workspace' }),
    offset: Type.Optional(Type.Integer({ minimum: 1, description: 'First line to show, 1-based' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, description: 'Number of lines to show' })),
  },
  { additionalProperties: false },
);

function listDirectory(abs: string, shown: string): ReturnType<typeof ok> {
  const entries = fs.readdirSync(abs, { withFileTypes: true })
    .map((d) => (d.isDirectory() ? `${d.name}/` : d.name))
    .sort();
  return ok(`${shown} is a directory with ${entries.length} entries:\n${entries.join('\n')}`);
}

export const readTool: AgentTool<typeof parameters> = {
  name: 'read',
  parameters,
  description: () => 'Read a text file (path relative to the workspace). Long files come in pages of lines; a directory gives its entries.',
  execute(args, { guard }) {
    const g = guard.forRead(args.path);
    if (!g.ok) return refused(g);
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
      return fileError(e, shown);
    }
  },
};
