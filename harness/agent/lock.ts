import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lockPath } from './porter-dir.js';

/**
 * `.porter/lock`: one `porter agent` per workspace. The file is created whole (written
 * aside, then hard-linked into place, which fails when a lock exists), so a reader never
 * sees half a lock. A lock whose process is gone — on this host — is reclaimed; a lock
 * from another host cannot be checked and is respected.
 */

export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
  runId?: string;
}

export type LockResult =
  | { ok: true; lock: HeldLock; reclaimed: LockInfo | null }
  | { ok: false; message: string; holder: LockInfo | null };

export interface HeldLock {
  readonly file: string;
  readonly info: LockInfo;
  release(): void;
}

export interface LockOptions {
  runId?: string;
  pid?: number;
  hostname?: string;
  clock?: () => Date;
  isAlive?: (pid: number) => boolean;
}

/** `kill(pid, 0)` probes without signalling: ESRCH means gone; EPERM means alive but not ours. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(file: string): LockInfo | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid !== 'number' || typeof v.hostname !== 'string' || typeof v.startedAt !== 'string') return null;
    return v as LockInfo;
  } catch {
    return null;
  }
}

function describeHolder(h: LockInfo): string {
  return `porter pid ${h.pid} on ${h.hostname}, started ${h.startedAt}${h.runId ? ` (run ${h.runId})` : ''}`;
}

export function acquireLock(workspace: string, opts: LockOptions = {}): LockResult {
  const file = lockPath(workspace);
  const info: LockInfo = {
    pid: opts.pid ?? process.pid,
    hostname: opts.hostname ?? os.hostname(),
    startedAt: (opts.clock ?? (() => new Date()))().toISOString(),
    ...(opts.runId ? { runId: opts.runId } : {}),
  };
  const isAlive = opts.isAlive ?? pidAlive;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${info.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(info)}\n`);
  let reclaimed: LockInfo | null = null;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.linkSync(tmp, file);
        return { ok: true, lock: heldLock(file, info), reclaimed };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readLock(file);
      if (holder && holder.hostname !== info.hostname) {
        return {
          ok: false,
          holder,
          message: `workspace ${workspace} is locked by ${describeHolder(holder)}; another host's process cannot be checked: if that run is gone, delete ${file}`,
        };
      }
      if (holder && isAlive(holder.pid)) {
        return {
          ok: false,
          holder,
          message: `workspace ${workspace} is in use by ${describeHolder(holder)}; wait for it to finish or stop it (kill ${holder.pid}), then run again`,
        };
      }
      // Its owner is dead (or the file is not a lock): take it over.
      reclaimed = holder ?? { pid: 0, hostname: '?', startedAt: '?' };
      fs.rmSync(file, { force: true });
    }
    return { ok: false, holder: null, message: `could not take the lock ${file}: another process keeps taking it` };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function heldLock(file: string, info: LockInfo): HeldLock {
  let released = false;
  return {
    file,
    info,
    release() {
      if (released) return;
      released = true;
      const now = readLock(file);
      // Only our own lock: never remove one that a later run took over.
      if (now && now.pid === info.pid && now.startedAt === info.startedAt && now.hostname === info.hostname) {
        fs.rmSync(file, { force: true });
      }
    },
  };
}
