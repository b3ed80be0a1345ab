import fs from 'node:fs';
import { Type } from '@sinclair/typebox';
import { fail, fileError, ok, refused, type AgentTool } from './tool.js';

/** `edit {path, old_text, new_text}`: replaces text that occurs exactly once. */

const parameters = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'File path, relative to the workspace' }),
    old_text: Type.String({ minLength: 1, description: 'Exact text to replace; unique in the file' }),
    new_text: Type.String({ description: 'Replacement text' }),
  },
  { additionalProperties: false },
);

function countOccurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) n++;
  return n;
}

export const editTool: AgentTool<typeof parameters> = {
  name: 'edit',
  parameters,
  description: () => 'Replace old_text with new_text in a file. old_text must match exactly once (whitespace included).',
  execute(args, { guard }) {
    const g = guard.forWrite(args.path);
    if (!g.ok) return refused(g);
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
      return fileError(e, shown);
    }
  },
};
