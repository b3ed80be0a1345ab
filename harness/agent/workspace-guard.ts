import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { PORTER_DIR, porterDir } from './porter-dir.js';

/**
 * Decides which paths the built-in tools may read and write. The agent's tools work in
 * the workspace only; the suite (snapshots, inputs, extra files, skip-list, overrides) is
 * the oracle and read-only; clean-room globs may not be read at all.
 *
 * Every check runs on both the lexical path and its real path (the longest existing
 * prefix resolved through symlinks), so neither `..` nor a symlink leads around it.
 */

/** A read-only area: an absolute path (a file, or a folder and all under it) or an absolute glob. */
export interface ProtectedArea {
  pattern: string;
  /** What it is, for the refusal message: `the snapshots`, `the skip-list`, ... */
  what: string;
  /** `harness`: read-only but not a test (the maintainer's notes); the message says so. Default `test`. */
  kind?: 'test' | 'harness';
}

/** Read-only areas the harness itself owns; the rest are tests. */
interface Area {
  what: string;
  test: boolean;
  matches: (abs: string) => boolean;
}

export interface GuardOptions {
  /** Absolute workspace folder. Relative tool paths resolve against it. */
  workspace: string;
  readOnly?: ProtectedArea[];
  /** Absolute globs or paths the agent may not read (clean-room mode). */
  noRead?: string[];
  /** Absolute folders outside the workspace that may be read (e.g. the source project). */
  readRoots?: string[];
}

/**
 * Why a path was refused, as a value callers act on (the tamper log keys on `protected-test`):
 * - `outside-workspace`: outside the workspace (and, for reads, outside every read root);
 * - `protected-test`: a write to the suite or another test area;
 * - `harness-owned`: a write to what the harness keeps (`.porter/`, `.git/`, the maintainer's notes);
 * - `no-read`: a read that clean-room mode forbids;
 * - `bad-path`: an empty path or one with a NUL byte.
 */
export type RefusalCode = 'outside-workspace' | 'protected-test' | 'harness-owned' | 'no-read' | 'bad-path';

export interface Refusal {
  code: RefusalCode;
  /** The absolute path refused (as given, for `bad-path`). */
  path: string;
  /** One line for the agent: what was refused and why. */
  message: string;
}

export type GuardResult = { ok: true; path: string } | ({ ok: false } & Refusal);

export interface WorkspaceGuard {
  readonly workspace: string;
  forRead(p: string): GuardResult;
  forWrite(p: string): GuardResult;
  /** The path as shown to the agent: relative to the workspace when inside it. */
  display(abs: string): string;
}

const GLOB_CHARS = /[*?[\]{}]/;

/** Resolves symlinks in the longest existing prefix of `p`; the rest is appended as written. */
export function realpathPrefix(p: string): string {
  let existing = p;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = fs.realpathSync(existing);
      return rest.length === 0 ? real : path.join(real, ...rest.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return p;
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

type Matcher = (abs: string) => boolean;

function areaMatcher(pattern: string): Matcher {
  if (GLOB_CHARS.test(pattern)) {
    const lexical = picomatch(pattern, { dot: true });
    // A glob `/x/snapshots/*.snap` also guards what a symlinked `/x` really is.
    const base = picomatch.scan(pattern).base;
    const realBase = base ? realpathPrefix(base) : base;
    const realPattern = base && realBase !== base ? realBase + pattern.slice(base.length) : null;
    const real = realPattern ? picomatch(realPattern, { dot: true }) : null;
    return (abs) => lexical(abs) || real?.(abs) === true;
  }
  const lexical = path.resolve(pattern);
  const real = realpathPrefix(lexical);
  return (abs) => isInside(abs, lexical) || isInside(abs, real);
}

export function createGuard(opts: GuardOptions): WorkspaceGuard {
  const workspace = path.resolve(opts.workspace);
  const realWorkspace = realpathPrefix(workspace);
  const readRoots = (opts.readRoots ?? []).map((r) => [path.resolve(r), realpathPrefix(path.resolve(r))] as const);
  // The harness keeps its own state and history there; the agent reads, never writes.
  const areas: Area[] = [
    { pattern: porterDir(workspace), what: `the harness state (${PORTER_DIR}/)`, test: false },
    { pattern: path.join(workspace, '.git'), what: 'the git history (.git/); the harness commits', test: false },
    ...(opts.readOnly ?? []).map((a) => ({ ...a, test: a.kind !== 'harness' })),
  ].map((a) => ({ what: a.what, test: a.test, matches: areaMatcher(a.pattern) }));
  const noRead = (opts.noRead ?? []).map(areaMatcher);

  const display = (abs: string): string => {
    for (const base of [workspace, realWorkspace]) {
      if (isInside(abs, base)) return path.relative(base, abs) || '.';
    }
    return abs;
  };

  const refuse = (code: RefusalCode, abs: string, message: string): GuardResult => ({ ok: false, code, path: abs, message });

  const resolve = (p: string): { lexical: string; real: string } | GuardResult => {
    if (typeof p !== 'string' || p.trim() === '') return refuse('bad-path', String(p), 'path is empty');
    if (p.includes('\0')) return refuse('bad-path', p, 'path contains a NUL byte');
    const lexical = path.resolve(workspace, p);
    return { lexical, real: realpathPrefix(lexical) };
  };

  const inWorkspace = (r: { lexical: string; real: string }): boolean =>
    isInside(r.lexical, workspace) && isInside(r.real, realWorkspace);

  const forRead = (p: string): GuardResult => {
    const r = resolve(p);
    if ('ok' in r) return r;
    const allowed =
      inWorkspace(r) || readRoots.some(([lex, real]) => isInside(r.lexical, lex) && (isInside(r.real, real) || isInside(r.real, lex)));
    if (!allowed) return refuse('outside-workspace', r.lexical, `${p} is outside the workspace ${workspace}; tools only reach files inside it`);
    if (noRead.some((m) => m(r.lexical) || m(r.real))) {
      return refuse('no-read', r.lexical, `${p} may not be read: clean-room mode (agent.no_read) keeps it from the agent`);
    }
    return { ok: true, path: r.lexical };
  };

  const forWrite = (p: string): GuardResult => {
    const r = resolve(p);
    if ('ok' in r) return r;
    if (!inWorkspace(r)) {
      const how = r.real !== r.lexical && isInside(r.lexical, workspace) ? ' (through a symlink)' : '';
      return refuse('outside-workspace', r.lexical, `${p} is outside the workspace ${workspace}${how}; write only inside it`);
    }
    const hit = areas.find((a) => a.matches(r.lexical) || a.matches(r.real));
    if (hit && !hit.test) return refuse('harness-owned', r.lexical, `${display(r.lexical)} is read-only to the agent: it belongs to ${hit.what}`);
    if (hit) {
      return refuse(
        'protected-test',
        r.lexical,
        `tests are read-only to the agent: ${display(r.lexical)} belongs to ${hit.what}; change the port, not the tests, and use skip_case to park a case`,
      );
    }
    return { ok: true, path: r.lexical };
  };

  return { workspace, forRead, forWrite, display };
}
