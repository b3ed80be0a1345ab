/**
 * Connecting to the Postgres work queue and making sure it is Porter's, of this version:
 * the connection, one-line descriptions of what went wrong, Porter's own tables and the
 * job engine's schema. Porter's tables hold what a job engine does not: who runs what
 * (meta, workers), outcomes with one row per item and attempt, work-in-progress branches
 * and the event log. Items, claims and retries live in pg-boss.
 */
import pg from 'pg';
import PgBoss from 'pg-boss';
import { scrub, type PostgresLocation } from './postgres-location.js';
import type { RunIdentity } from './work-queue.js';

export const ITEMS_QUEUE = 'porter-items';
/** The pg-boss schema version Porter's keep-alive statement was written against (pg-boss 10.x). */
export const BOSS_SCHEMA_VERSION = 24;
/** pg-boss marks an item failed after this many retries; Porter gives items up itself, after `maxClaims`. */
const NO_RETRY_LIMIT = 1_000_000;

export interface QueueMeta extends RunIdentity {
  leaseMs: number;
  maxClaims: number;
}

export type Setup =
  | { role: 'coordinator'; identity: RunIdentity; leaseMs: number; maxClaims: number }
  | { role: 'worker'; porterVersion: string };

export interface Connection {
  pool: pg.Pool;
  boss: PgBoss;
  meta: QueueMeta;
  /** The job engine's schema, for the one statement pg-boss 10 has no call for (see postgres-queue.ts). */
  bossSchema: string;
}

/** One line saying what went wrong, with the URL shown without its password. */
export function describePgError(err: unknown, loc: PostgresLocation): string {
  const e = err as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = e.code ?? e.errors?.[0]?.code;
  const at = `PostgreSQL at ${loc.shown}`;
  const first = scrub(String(e.message ?? err), loc).split('\n')[0]!.trim();
  switch (code) {
    case 'ECONNREFUSED':
      return `cannot reach ${at}: connection refused (is the server running, and are the host and port right?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot reach ${at}: host ${new URL(loc.url).hostname} not found`;
    case 'ETIMEDOUT':
      return `cannot reach ${at}: the connection timed out`;
    case '28P01':
    case '28000':
      return `${at} refused the login: ${first}`;
    case '3D000':
      return `${at}: ${first}; create it first (createdb)`;
    case '42501':
      return `${at}: ${first}; the user needs the right to create schemas and tables in this database`;
  }
  if (/timeout/i.test(first)) return `cannot reach ${at}: no answer within the connection timeout`;
  return `${at}: ${first || 'unknown error'}`;
}

/** Runs `fn` inside one transaction on one connection; pg-boss calls join it through `db`. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient, db: PgBoss.Db) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client, { executeSql: (text, values) => client.query(text, values) });
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export async function connect(loc: PostgresLocation, setup: Setup, connectTimeoutMs = 10_000): Promise<{ ok: true; connection: Connection } | { ok: false; error: string }> {
  const pool = new pg.Pool({ connectionString: loc.url, connectionTimeoutMillis: connectTimeoutMs, max: 5, application_name: 'porter' });
  // A connection that drops while idle is replaced on the next query, which reports the failure itself.
  pool.on('error', () => {});
  const fail = async (error: string) => {
    await pool.end().catch(() => {});
    return { ok: false as const, error };
  };
  try {
    const s = loc.schema;
    const where = `the work queue in schema "${s}" at ${loc.shown}`;
    const existing = await readMeta(pool, s);
    const version = setup.role === 'coordinator' ? setup.identity.porterVersion : setup.porterVersion;
    if (existing && existing.porterVersion !== version) {
      return await fail(`${where} was made by Porter ${existing.porterVersion}, and this is Porter ${version}: run the same Porter version everywhere, or give this run its own schema (?schema=NAME)`);
    }
    if (!existing && setup.role === 'worker') {
      return await fail(`there is no work queue in schema "${s}" at ${loc.shown}: start the coordinator first (porter agent --queue URL)`);
    }
    const bossSchema = `${s}_jobs`;
    const boss = new PgBoss({
      db: { executeSql: (text, values) => pool.query(text, values) },
      schema: bossSchema,
      // Porter expires leases and starts work itself; no timers of the engine's own.
      supervise: false,
      schedule: false,
      migrate: setup.role === 'coordinator',
    });
    // Failures reach Porter as rejected calls; the engine's own error events have no timers behind them here.
    boss.on('error', () => {});
    try {
      await boss.start();
    } catch (err) {
      const msg = String((err as Error).message);
      if (/not installed|requires migrations/.test(msg)) return await fail(`${where} has no job tables of the version this Porter uses: start the coordinator again, or use a fresh schema (?schema=NAME)`);
      throw err;
    }
    const bossVersion = Number(await boss.schemaVersion());
    if (bossVersion !== BOSS_SCHEMA_VERSION) return await fail(`${where} has job tables of pg-boss schema ${bossVersion}, and this Porter needs ${BOSS_SCHEMA_VERSION}: use a fresh schema (?schema=NAME)`);
    let meta: QueueMeta;
    if (setup.role === 'coordinator') {
      const expireInSeconds = Math.max(1, Math.ceil(setup.leaseMs / 1000));
      const queue = { name: ITEMS_QUEUE, policy: 'standard' as const, expireInSeconds, retryLimit: NO_RETRY_LIMIT, retryDelay: 0, retryBackoff: false };
      await boss.createQueue(ITEMS_QUEUE, queue);
      await boss.updateQueue(ITEMS_QUEUE, queue);
      meta = { ...setup.identity, leaseMs: expireInSeconds * 1000, maxClaims: setup.maxClaims };
      await createTables(pool, s, meta);
    } else {
      meta = existing!;
    }
    return { ok: true, connection: { pool, boss, meta, bossSchema } };
  } catch (err) {
    return await fail(describePgError(err, loc));
  }
}

async function readMeta(pool: pg.Pool, schema: string): Promise<QueueMeta | null> {
  const found = await pool.query('SELECT to_regclass($1) AS t', [`${schema}.meta`]);
  if (!found.rows[0]?.t) return null;
  const rows = (await pool.query(`SELECT key, value FROM ${schema}.meta`)).rows as { key: string; value: string }[];
  const m = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  return { porterVersion: m.porter_version ?? '(unknown)', configHash: m.config_hash ?? '', leaseMs: Number(m.lease_ms), maxClaims: Number(m.max_claims) };
}

async function createTables(pool: pg.Pool, s: string, meta: QueueMeta): Promise<void> {
  await inTransaction(pool, async (c) => {
    // Two coordinators starting at once must not both create the tables.
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`porter.${s}`]);
    await c.query(`
      CREATE SCHEMA IF NOT EXISTS ${s};
      CREATE TABLE IF NOT EXISTS ${s}.meta (key text PRIMARY KEY, value text NOT NULL);
      CREATE TABLE IF NOT EXISTS ${s}.items (
        item_id text NOT NULL, attempt int NOT NULL, item jsonb NOT NULL, claims int NOT NULL DEFAULT 0,
        last_holder text, offered_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (item_id, attempt));
      CREATE TABLE IF NOT EXISTS ${s}.workers (
        id text PRIMARY KEY, host text NOT NULL, pid int NOT NULL, porter_version text NOT NULL, config_hash text NOT NULL,
        last_seen timestamptz NOT NULL DEFAULT now(), item_id text, attempt int, claim int, lease_until timestamptz);
      CREATE TABLE IF NOT EXISTS ${s}.wip (
        item_id text NOT NULL, attempt int NOT NULL, worker_id text NOT NULL, branch text NOT NULL, commit_sha text,
        at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (item_id, attempt));
      CREATE TABLE IF NOT EXISTS ${s}.outcomes (
        seq bigserial UNIQUE, item_id text NOT NULL, attempt int NOT NULL, kind text NOT NULL, worker_id text NOT NULL,
        body jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(), taken_at timestamptz, settled_at timestamptz,
        verdict jsonb, PRIMARY KEY (item_id, attempt));
      CREATE TABLE IF NOT EXISTS ${s}.events (
        seq bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), kind text NOT NULL, worker_id text,
        item_id text, attempt int, detail text);
    `);
    const rows: [string, string][] = [
      ['porter_version', meta.porterVersion],
      ['config_hash', meta.configHash],
      ['lease_ms', String(meta.leaseMs)],
      ['max_claims', String(meta.maxClaims)],
    ];
    for (const [key, value] of rows) {
      await c.query(`INSERT INTO ${s}.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [key, value]);
    }
  });
}
