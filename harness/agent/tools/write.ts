import fs from 'node:fs';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { fileError, ok, refused, type AgentTool } from './tool.js';

/** `write {path, content}`: creates or overwrites a file, folders included. */

const parameters = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'File path, relative to the workspace' }),
    content: Type.String({ description: 'The whole new content' }),
  },
  { additionalProperties: false },
);

export const writeTool: AgentTool<typeof parameters> = {
  name: 'write',
  parameters,
  description: () => 'Create or overwrite a file with the given content; parent folders are created. Tests and snapshots are read-only.',
  execute(args, { guard }) {
    const g = guard.forWrite(args.path);
    if (!g.ok) return refused(g);
    const shown = guard.display(g.path);
    try {
      fs.mkdirSync(path.dirname(g.path), { recursive: true });
      fs.writeFileSync(g.path, args.content);
      return ok(`wrote ${Buffer.byteLength(args.content)} bytes to ${shown}`);
    } catch (e) {
      return fileError(e, shown);
    }
  },
};
