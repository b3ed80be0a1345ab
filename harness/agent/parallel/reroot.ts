import path from 'node:path';
import type { PorterConfig } from '../../config/types.js';
import type { AgentConfig } from '../agent-config.js';
import { relativeInside } from '../../util/path-inside.js';

/**
 * A worker works in its own worktree: every path of the config that lies inside the
 * workspace (the target's folder, the skip-list, the overrides, the config file itself)
 * moves to the same place in the worktree, so the worker builds, runs and judges its own
 * copy. The source project and its inputs stay where they are, inside the workspace or
 * not: they are read-only to every agent, and may be untracked there.
 */
export function rerooter(from: string, to: string): (p: string) => string {
  return (p) => {
    const rel = relativeInside(from, p);
    return rel === null ? p : path.join(to, rel);
  };
}

export function rerootConfig(config: PorterConfig, from: string, to: string): PorterConfig {
  const at = rerooter(from, to);
  return {
    ...config,
    configPath: at(config.configPath),
    configDir: at(config.configDir),
    target: { ...config.target, cwd: at(config.target.cwd) },
    skiplist: at(config.skiplist),
    overrides: at(config.overrides),
    reports: { ...config.reports, dir: at(config.reports.dir) },
  };
}

export function rerootAgent(agent: AgentConfig, from: string, to: string): AgentConfig {
  const at = rerooter(from, to);
  return { ...agent, workspace: at(agent.workspace), noRead: agent.noRead.map(at) };
}
