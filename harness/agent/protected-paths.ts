import path from 'node:path';
import type { PorterConfig } from '../config/types.js';
import type { AgentConfig } from './agent-config.js';
import { createGuard, type ProtectedArea, type WorkspaceGuard } from './workspace-guard.js';

/**
 * Everything the agent may read but never change: the snapshots, the inputs, the extra
 * files, the skip-list, the overrides and the config itself. The built-in tools refuse
 * writes there; for a command agent the same list is photographed and restored.
 */

export interface KnownInput {
  /** Input path relative to the source root, when the case has one. */
  inputPath?: string;
}

export function protectedAreas(config: PorterConfig, cases: readonly KnownInput[] = []): ProtectedArea[] {
  const areas: ProtectedArea[] = [];
  const seen = new Set<string>();
  const add = (pattern: string, what: string) => {
    if (seen.has(pattern)) return;
    seen.add(pattern);
    areas.push({ pattern, what });
  };
  for (const glob of config.snapshots) add(path.join(config.source, glob), 'the snapshots');
  for (const phase of config.phases) {
    for (const dir of phase.inputs) add(dir, `the inputs of phase ${phase.name}`);
    for (const glob of phase.files) add(path.join(config.source, glob), `the extra files of phase ${phase.name}`);
  }
  // Inputs named by `input_file` may live outside the configured input folders.
  for (const dir of new Set(cases.filter((c) => c.inputPath).map((c) => path.dirname(path.resolve(config.source, c.inputPath!))))) {
    add(dir, 'the test inputs');
  }
  add(config.skiplist, 'the skip-list');
  add(config.overrides, 'the overrides');
  add(config.configPath, 'the porter config');
  return areas;
}

/** The same areas as paths and globs for the tamper check. */
export function protectedEntries(areas: readonly ProtectedArea[]): string[] {
  return areas.map((a) => a.pattern);
}

/** The maintainer's notes to the agent, read by the harness at each iteration. */
export const NOTES_FILE = 'notes.md';

/**
 * The guard of an agent working in `agent.workspace` (the workspace, or a parallel worker's
 * worktree), and the entries its tamper check photographs.
 */
export function harnessGuard(config: PorterConfig, agent: AgentConfig, cases: readonly KnownInput[]): { guard: WorkspaceGuard; entries: string[] } {
  const areas = protectedAreas(config, cases);
  const notesArea = { pattern: path.join(agent.workspace, NOTES_FILE), what: `the maintainer's notes (${NOTES_FILE})`, kind: 'harness' as const };
  const guard = createGuard({ workspace: agent.workspace, readOnly: [...areas, notesArea], noRead: agent.noRead, readRoots: [config.source] });
  return { guard, entries: protectedEntries(areas) };
}
