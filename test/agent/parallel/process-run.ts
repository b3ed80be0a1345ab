/**
 * Parallel runs as real processes of the built CLI (`dist/`, built first when a source is
 * newer): spawning `porter`, waiting for what its session log shows, and cleaning up every
 * process and held fake-API answer after each test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll } from 'vitest';
import { readSession } from '../../../harness/agent/session-log.js';
import type { SessionEntry } from '../../../harness/agent/types.js';
import { ensureBuilt } from '../../support/built-dist.js';
import type { ScriptItem } from '../../support/fake-anthropic.js';

const bin = path.join(path.resolve(import.meta.dirname, '../../..'), 'dist/harness/cli/bin.js');

export interface PorterProcess {
  child: ChildProcess;
  /** Its exit, or a failure with everything it printed when it takes longer than `ms`. */
  exited(ms?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  stdout(): string;
}

/** Registers the build and the cleanup; `held` collects fake-API answers a test holds back, dropped after it. */
export function usePorterProcesses(): { porter: (args: string[], cwd: string, env: NodeJS.ProcessEnv) => PorterProcess; held: Array<(item: ScriptItem) => void> } {
  const children: ChildProcess[] = [];
  const held: Array<(item: ScriptItem) => void> = [];
  beforeAll(() => ensureBuilt(), 300_000);
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const release of held.splice(0)) release({ kind: 'drop' });
  });
  const porter = (args: string[], cwd: string, env: NodeJS.ProcessEnv): PorterProcess => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let stdout = '';
    child.stdout.on('data', (d) => {
      out += d;
      stdout += d;
    });
    child.stderr.on('data', (d) => (out += d));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const exited = (ms = 120_000) =>
      Promise.race([exit, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`porter ${args.join(' ')} still running after ${ms} ms:\n${out}`)), ms).unref())]);
    return { child, exited, output: () => out, stdout: () => stdout };
  };
  return { porter, held };
}

export async function until<T>(what: string, probe: () => T | null | undefined | false, output: () => string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The latest session log of the workspace: the coordinator's. */
export function coordinatorLog(ws: string): SessionEntry[] {
  const dir = path.join(ws, '.porter', 'sessions');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort() : [];
  return files.length === 0 ? [] : readSession(path.join(dir, files.at(-1)!)).entries;
}

export const acceptedMerges = (log: SessionEntry[]) => log.filter((e): e is Extract<SessionEntry, { type: 'merge' }> => e.type === 'merge' && e.status === 'accepted');
