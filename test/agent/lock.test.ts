import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, pidAlive, readLock } from '../../harness/agent/lock.js';
import { lockPath } from '../../harness/agent/porter-dir.js';

let ws: string;

beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-lock-'));
});
afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const r = spawnSync('bash', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

describe('workspace lock', () => {
  it('holds pid, host and start time, and releases', () => {
    const r = acquireLock(ws, { runId: 'run1', clock: () => new Date('2026-11-20T10:00:00Z') });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(readLock(lockPath(ws))).toEqual({ pid: process.pid, hostname: os.hostname(), startedAt: '2026-11-20T10:00:00.000Z', runId: 'run1' });
    expect(fs.readdirSync(path.join(ws, '.porter'))).toEqual(['lock']);
    r.lock.release();
    expect(fs.existsSync(lockPath(ws))).toBe(false);
  });

  it('refuses a second run while the owner lives, naming its pid', async () => {
    const sleeper = spawn('sleep', ['30']);
    try {
      const first = acquireLock(ws, { pid: sleeper.pid!, runId: 'night' });
      expect(first.ok).toBe(true);
      const second = acquireLock(ws);
      expect(second.ok).toBe(false);
      if (second.ok) return;
      expect(second.message).toMatch(new RegExp(`in use by porter pid ${sleeper.pid} on .*\\(run night\\); wait for it to finish or stop it \\(kill ${sleeper.pid}\\)`));
      expect(second.holder?.pid).toBe(sleeper.pid);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('reclaims a lock whose owner is dead', () => {
    const pid = deadPid();
    expect(pidAlive(pid)).toBe(false);
    const stale = acquireLock(ws, { pid, runId: 'crashed' });
    expect(stale.ok).toBe(true);
    const r = acquireLock(ws, { runId: 'new' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.reclaimed).toMatchObject({ pid, runId: 'crashed' });
    expect(readLock(lockPath(ws))?.runId).toBe('new');
  });

  it('reclaims a file that is not a lock, and respects another host', () => {
    fs.mkdirSync(path.join(ws, '.porter'));
    fs.writeFileSync(lockPath(ws), 'garbage');
    const r = acquireLock(ws);
    expect(r.ok).toBe(true);
    if (r.ok) r.lock.release();
    fs.writeFileSync(lockPath(ws), JSON.stringify({ pid: deadPid(), hostname: 'elsewhere', startedAt: 'x' }));
    const other = acquireLock(ws);
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.message).toMatch(/on elsewhere.*another host's process cannot be checked: if that run is gone, delete .*\.porter\/lock/);
  });

  it('release never removes a lock another run took over', () => {
    const a = acquireLock(ws, { pid: deadPid() });
    const b = acquireLock(ws);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    a.lock.release();
    expect(readLock(lockPath(ws))?.pid).toBe(process.pid);
    b.lock.release();
    expect(fs.existsSync(lockPath(ws))).toBe(false);
  });
});
