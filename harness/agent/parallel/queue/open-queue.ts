/**
 * Opens the work queue a run names: `embedded` (one machine, in this process) or a
 * PostgreSQL URL (many machines). The Postgres engine is imported only when asked for, so
 * a run on one machine never loads a database driver.
 */
import { createEmbeddedQueue } from './embedded-queue.js';
import { redactUrls } from '../../../util/redact-urls.js';
import { isPostgresUrl } from './postgres-location.js';
import type { OpenResult, RunIdentity } from './work-queue.js';

export const EMBEDDED = 'embedded';

export type OpenOptions =
  /** The coordinator creates the queue (or reopens its own) and says what workers must match. */
  | { role: 'coordinator'; identity: RunIdentity; leaseMs?: number; maxClaims?: number; connectTimeoutMs?: number }
  /** A worker joins a queue a coordinator made; `porterVersion` defaults to this Porter's. */
  | { role: 'worker'; porterVersion?: string; connectTimeoutMs?: number };

/**
 * Why `--queue` cannot name this, or null: a PostgreSQL URL is the one engine of many
 * machines. `coordinator`: the run could also stay on this machine, and the message says so.
 */
export function queueLocationProblem(location: string, coordinator = true): string | null {
  if (isPostgresUrl(location)) return null;
  return `--queue ${redactUrls(location)}: give a postgres:// URL${coordinator ? ' (or leave --queue out to run on this machine)' : ''}`;
}

export async function openWorkQueue(location: string, opts: OpenOptions): Promise<OpenResult> {
  if (location === EMBEDDED) {
    if (opts.role !== 'coordinator') return { ok: false, error: 'the embedded work queue lives in the coordinator: workers on other machines need --queue postgres://…' };
    return { ok: true, queue: createEmbeddedQueue(opts) };
  }
  const problem = queueLocationProblem(location);
  if (problem) return { ok: false, error: problem };
  const { openPostgresQueue } = await import('./postgres-queue.js');
  return openPostgresQueue(location, opts);
}
