import fs from 'node:fs';
import path from 'node:path';
import type { PorterConfig } from '../config/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/**
 * `porter.upstream.json`, committed in the workspace: the source revision at which the port
 * last passed. `porter sync` compares from it by default; `porter sync --accept` and the agent
 * loop's green commits move it forward.
 *
 *   { "rev": "<full commit hash>", "date": "<its committer date, ISO 8601>", "cases": <cases at rev> }
 */

export const UPSTREAM_FILE = 'porter.upstream.json';

export interface Upstream {
  /** Full commit hash in the source project. */
  rev: string;
  /** The commit's committer date, ISO 8601. */
  date: string;
  /** How many cases the suite had at `rev`. */
  cases: number;
}

export type UpstreamRead = { ok: true; upstream: Upstream | null; file: string } | { ok: false; message: string };

/**
 * The port's folder: `agent.workspace` (relative to the config's folder), else the config's
 * folder, as the agent resolves it. Read from the raw section: the agent validates the rest.
 */
export function workspaceOf(config: PorterConfig): string {
  const raw = config.agent as { workspace?: unknown } | undefined;
  const dir = typeof raw?.workspace === 'string' ? raw.workspace : '.';
  return path.resolve(config.configDir, dir);
}

export function upstreamFile(workspace: string): string {
  return path.join(workspace, UPSTREAM_FILE);
}

/** The recorded revision; `upstream: null` when the file does not exist yet. */
export function readUpstream(workspace: string): UpstreamRead {
  const file = upstreamFile(workspace);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, upstream: null, file };
    return { ok: false, message: `${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `${file}: not valid JSON (${(err as Error).message}); fix it or delete it and run \`porter sync --accept\`` };
  }
  const o = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  if (typeof o.rev !== 'string' || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(o.rev)) {
    return { ok: false, message: `${file}: \`rev\` must be a full commit hash of the source project, got ${JSON.stringify(o.rev ?? null)}` };
  }
  return {
    ok: true,
    upstream: { rev: o.rev, date: typeof o.date === 'string' ? o.date : '', cases: typeof o.cases === 'number' ? o.cases : 0 },
    file,
  };
}

/** Writes the file atomically, in a stable form that diffs well in review. */
export function writeUpstream(workspace: string, upstream: Upstream): string {
  const file = upstreamFile(workspace);
  writeFileAtomic(file, `${JSON.stringify({ rev: upstream.rev, date: upstream.date, cases: upstream.cases }, null, 2)}\n`);
  return file;
}
