/**
 * The work queue of many machines, on pg-boss 10: an item is a pg-boss job whose id is
 * derived from the item's id and attempt (so offering it twice inserts nothing), a claim
 * is a `fetch` (FOR UPDATE SKIP LOCKED: no two workers get the same job), giving it back
 * is `fail` (the job waits again at once), finishing it is `complete`.
 *
 * The lease is the job's expiry (`expireInSeconds`): pg-boss's `expire()`, run before each
 * claim, puts jobs whose time ran out back in line and counts the claim in `retryCount`.
 * pg-boss 10 (the last line for Node 20) has no heartbeat of its own, so a heartbeat is a
 * keep-alive: it moves the job's `started_on` to now, which restarts the expiry. That one statement, and the matching check that the lease is still this
 * worker's (same job, still active, same claim count, time not run out), are the only SQL
 * on pg-boss's tables; the package is pinned and its schema version checked at connect.
 * Every other step goes through pg-boss's API, inside Porter's transaction (`db`).
 */
import crypto from 'node:crypto';
import type pg from 'pg';
import type PgBoss from 'pg-boss';
import { porterVersion } from '../../../util/version.js';
import { parsePostgresLocation, type PostgresLocation } from './postgres-location.js';
import { connect, describePgError, inTransaction, ITEMS_QUEUE, type Connection } from './postgres-setup.js';
import { DEFAULT_LEASE_MS, DEFAULT_MAX_CLAIMS, duplicateReason, EXPIRED_REASON, finishedReason, givenUpReason, refusal, type HeartbeatReply, type Lease, type MergeVerdict, QueueMisuse, type OpenResult, type Outcome, type QueueEvent, type RunIdentity, type WipRef, type WorkResult, type WorkQueue } from './work-queue.js';
import type { WorkItem } from '../work-items.js';

export type PostgresQueueOptions =
  | { role: 'coordinator'; identity: RunIdentity; leaseMs?: number; maxClaims?: number; connectTimeoutMs?: number }
  | { role: 'worker'; porterVersion?: string; connectTimeoutMs?: number };

/** The job id of an item and attempt: a UUID-shaped digest, the same on every machine. */
export function jobIdOf(itemId: string, attempt: number): string {
  const h = crypto.createHash('sha256').update(`${itemId}\u0000${attempt}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function openPostgresQueue(text: string, opts: PostgresQueueOptions): Promise<OpenResult> {
  const parsed = parsePostgresLocation(text);
  if (!parsed.ok) return parsed;
  const loc = parsed.location;
  const setup =
    opts.role === 'coordinator'
      ? { role: 'coordinator' as const, identity: opts.identity, leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS, maxClaims: opts.maxClaims ?? DEFAULT_MAX_CLAIMS }
      : { role: 'worker' as const, porterVersion: opts.porterVersion ?? porterVersion() };
  const connected = await connect(loc, setup, opts.connectTimeoutMs);
  if (!connected.ok) return connected;
  return { ok: true, queue: postgresQueue(loc, connected.connection) };
}

/** Rows as Porter's tables (postgres-setup.ts) return them. */
interface OutcomeRow {
  item_id: string;
  attempt: number;
  kind: Outcome['kind'];
  worker_id: string;
  body: WorkResult | { reason: string };
  taken_at: Date | null;
  settled_at: Date | null;
  verdict: MergeVerdict | null;
}
interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  last_seen: Date;
  item_id: string | null;
  attempt: number | null;
  claim: number | null;
  live: boolean | null;
}
interface EventRow {
  seq: string;
  at: Date;
  kind: string;
  worker_id: string | null;
  item_id: string | null;
  attempt: number | null;
  detail: string | null;
}

function postgresQueue(loc: PostgresLocation, conn: Connection): WorkQueue {
  const { pool, boss, meta } = conn;
  const s = loc.schema;
  const j = conn.bossSchema;
  const tx = <T>(fn: (c: pg.PoolClient, db: PgBoss.Db) => Promise<T>) => inTransaction(pool, fn);

  /** Every failure leaves as one line without credentials; a lost connection is not a stack trace. */
  const guarded = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof QueueMisuse) throw err;
        throw new Error(describePgError(err, loc));
      }
    };

  const record = (c: pg.ClientBase | pg.Pool, e: Omit<QueueEvent, 'seq' | 'at'>) =>
    c.query(`INSERT INTO ${s}.events (kind, worker_id, item_id, attempt, detail) VALUES ($1, $2, $3, $4, $5)`, [
      e.kind,
      e.workerId ?? null,
      e.itemId ?? null,
      e.attempt ?? null,
      e.detail ?? null,
    ]);

  const outcomeBy = async (c: pg.ClientBase, itemId: string, attempt: number): Promise<string | null> =>
    (await c.query<{ worker_id: string }>(`SELECT worker_id FROM ${s}.outcomes WHERE item_id = $1 AND attempt = $2`, [itemId, attempt])).rows[0]?.worker_id ?? null;

  const addOutcome = async (c: pg.ClientBase, o: Outcome): Promise<boolean> => {
    const body = o.kind === 'result' ? o.result : { reason: o.reason };
    const r = await c.query(
      `INSERT INTO ${s}.outcomes (item_id, attempt, kind, worker_id, body) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (item_id, attempt) DO NOTHING RETURNING seq`,
      [o.itemId, o.attempt, o.kind, o.workerId, JSON.stringify(body)],
    );
    return r.rowCount === 1;
  };

  // The lease is the worker's while the job is active, claimed no more often since (retryCount), and in time.
  const leaseHeld = `state = 'active' AND retry_count = $3 AND started_on + expire_in >= now()`;
  const leaseArgs = (lease: Lease) => [ITEMS_QUEUE, jobIdOf(lease.item.id, lease.item.attempt), lease.claim - 1];

  /**
   * True when this lease is still the worker's. Locks the item's job whoever holds it, before
   * anything else the transaction touches: every call takes the job first, so two workers
   * finishing the same item wait for each other instead of deadlocking.
   */
  const holds = async (c: pg.ClientBase, lease: Lease): Promise<boolean> => {
    const r = await c.query<{ mine: boolean }>(`SELECT (${leaseHeld}) AS mine FROM ${j}.job WHERE name = $1 AND id = $2 FOR UPDATE`, leaseArgs(lease));
    return r.rows[0]?.mine === true;
  };

  /** The keep-alive: restarts the job's expiry, if the lease is still the worker's. */
  const keepAlive = async (c: pg.ClientBase, lease: Lease): Promise<boolean> =>
    (await c.query(`UPDATE ${j}.job SET started_on = now() WHERE name = $1 AND id = $2 AND ${leaseHeld} RETURNING 1`, leaseArgs(lease))).rowCount === 1;

  /** Forgets that the worker holds this lease; true when it still thought so. */
  const letGo = async (c: pg.ClientBase, lease: Lease): Promise<boolean> =>
    (
      await c.query(
        `UPDATE ${s}.workers SET item_id = NULL, attempt = NULL, claim = NULL, lease_until = NULL, last_seen = now()
         WHERE id = $1 AND item_id = $2 AND attempt = $3 AND claim = $4`,
        [lease.workerId, lease.item.id, lease.item.attempt, lease.claim],
      )
    ).rowCount === 1;

  /** The answer to a lease that is no longer held, and the event if its time ran out unnoticed. */
  const lost = async (c: pg.ClientBase, lease: Lease): Promise<HeartbeatReply> => {
    const by = await outcomeBy(c, lease.item.id, lease.item.attempt);
    const wasHeld = await letGo(c, lease);
    if (by) return { held: false, reason: finishedReason(by) };
    if (wasHeld) await record(c, { kind: 'lease-expired', workerId: lease.workerId, itemId: lease.item.id, attempt: lease.item.attempt, detail: `claim ${lease.claim}` });
    return { held: false, reason: EXPIRED_REASON };
  };

  const saveWip = async (c: pg.ClientBase, lease: Lease, wip: WipRef) => {
    await c.query(
      `INSERT INTO ${s}.wip (item_id, attempt, worker_id, branch, commit_sha) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (item_id, attempt) DO UPDATE SET worker_id = EXCLUDED.worker_id, branch = EXCLUDED.branch, commit_sha = EXCLUDED.commit_sha, at = now()`,
      [lease.item.id, lease.item.attempt, lease.workerId, wip.branch, wip.commit ?? null],
    );
  };

  const touch = (c: pg.ClientBase, workerId: string) => c.query(`UPDATE ${s}.workers SET last_seen = now() WHERE id = $1`, [workerId]);

  /** Leases whose time ran out: the engine puts their jobs back in line, the workers table and the log say so. */
  const sweep = async () => {
    await boss.expire();
    await tx(async (c) => {
      const gone = await c.query<{ id: string; item_id: string; attempt: number; claim: number }>(
        `UPDATE ${s}.workers w SET item_id = NULL, attempt = NULL, claim = NULL, lease_until = NULL
         FROM (SELECT id, item_id, attempt, claim FROM ${s}.workers WHERE lease_until < now() FOR UPDATE) old
         WHERE w.id = old.id RETURNING old.id, old.item_id, old.attempt, old.claim`,
      );
      for (const r of gone.rows) {
        if (await outcomeBy(c, r.item_id, r.attempt)) continue;
        await record(c, { kind: 'lease-expired', workerId: r.id, itemId: r.item_id, attempt: r.attempt, detail: `claim ${r.claim}` });
      }
    });
  };

  /** Ends the item's job (if it is active): it has an outcome, or will get one in this transaction. */
  const endJob = (db: PgBoss.Db, item: Pick<WorkItem, 'id' | 'attempt'>, why: string) =>
    boss.complete(ITEMS_QUEUE, jobIdOf(item.id, item.attempt), { why }, { db });

  /**
   * Null while the lease still holds an item nobody has finished; otherwise the answer for
   * the worker, after ending the job of an item another worker finished.
   */
  const unlessHeld = async (c: pg.ClientBase, db: PgBoss.Db, lease: Lease, mine: boolean): Promise<HeartbeatReply | null> => {
    await touch(c, lease.workerId);
    if (!mine) return lost(c, lease);
    if (!(await outcomeBy(c, lease.item.id, lease.item.attempt))) return null;
    await endJob(db, lease.item, 'finished by another worker');
    return lost(c, lease);
  };

  const toOutcome = (r: OutcomeRow): Outcome =>
    r.kind === 'result'
      ? { kind: 'result', itemId: r.item_id, attempt: r.attempt, workerId: r.worker_id, result: r.body as WorkResult }
      : { kind: 'failed', itemId: r.item_id, attempt: r.attempt, workerId: r.worker_id, reason: (r.body as { reason: string }).reason };

  return {
    location: loc.shown,

    offer: guarded(async (list: readonly WorkItem[]) => {
      let added = 0;
      // One transaction per item: each gets its own start time, which is the order pg-boss hands them out in.
      for (const item of list) {
        const fresh = await tx(async (c, db) => {
          const r = await c.query(`INSERT INTO ${s}.items (item_id, attempt, item) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [item.id, item.attempt, JSON.stringify(item)]);
          if (r.rowCount !== 1) return false;
          await boss.send(ITEMS_QUEUE, item, { id: jobIdOf(item.id, item.attempt), db });
          await record(c, { kind: 'item-offered', itemId: item.id, attempt: item.attempt, detail: item.label });
          return true;
        });
        if (fresh) added += 1;
      }
      return added;
    }),

    register: guarded(async (info) => {
      const m = (await pool.query<{ key: string; value: string }>(`SELECT key, value FROM ${s}.meta WHERE key IN ('porter_version', 'config_hash')`)).rows;
      const run = Object.fromEntries(m.map((r) => [r.key, r.value]));
      const why = refusal(info, { porterVersion: run.porter_version ?? '', configHash: run.config_hash ?? '' });
      if (why) {
        await record(pool, { kind: 'worker-refused', workerId: info.id, detail: why });
        return { ok: false as const, error: why };
      }
      await tx(async (c) => {
        await c.query(
          `INSERT INTO ${s}.workers (id, host, pid, porter_version, config_hash) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, porter_version = EXCLUDED.porter_version,
             config_hash = EXCLUDED.config_hash, last_seen = now(), item_id = NULL, attempt = NULL, claim = NULL, lease_until = NULL`,
          [info.id, info.host, info.pid, info.porterVersion, info.configHash],
        );
        await record(c, { kind: 'worker-registered', workerId: info.id, detail: `${info.host} pid ${info.pid}` });
      });
      return { ok: true as const };
    }),

    claim: guarded(async (workerId: string) => {
      await sweep();
      return tx(async (c, db): Promise<Lease | null> => {
        const w = (await c.query<{ item_id: string | null }>(`SELECT item_id FROM ${s}.workers WHERE id = $1 FOR UPDATE`, [workerId])).rows[0];
        if (!w) throw new QueueMisuse(`worker ${workerId} is not registered with the work queue`);
        if (w.item_id !== null) throw new QueueMisuse(`worker ${workerId} claims an item while it holds ${w.item_id}`);
        await touch(c, workerId);
        for (;;) {
          const [job] = await boss.fetch<WorkItem>(ITEMS_QUEUE, { batchSize: 1, includeMetadata: true, db });
          if (!job) return null;
          const item = job.data;
          const claim = job.retryCount + 1;
          const leaseSeconds = Number(job.expireInSeconds);
          if (await outcomeBy(c, item.id, item.attempt)) {
            // Finished by a worker whose lease had run out; nobody needs it any more.
            await endJob(db, item, 'finished by a worker whose lease had run out');
            continue;
          }
          const row = (await c.query<{ claims: number; last_holder: string | null }>(`SELECT claims, last_holder FROM ${s}.items WHERE item_id = $1 AND attempt = $2`, [item.id, item.attempt])).rows[0]!;
          if (claim > meta.maxClaims) {
            const last = row.last_holder ?? workerId;
            await addOutcome(c, { kind: 'failed', itemId: item.id, attempt: item.attempt, workerId: last, reason: givenUpReason(row.claims) });
            await endJob(db, item, 'given up');
            await record(c, { kind: 'item-given-up', workerId: last, itemId: item.id, attempt: item.attempt, detail: givenUpReason(row.claims) });
            continue;
          }
          await c.query(`UPDATE ${s}.items SET claims = $3, last_holder = $4 WHERE item_id = $1 AND attempt = $2`, [item.id, item.attempt, claim, workerId]);
          await c.query(
            `UPDATE ${s}.workers SET item_id = $2, attempt = $3, claim = $4, lease_until = now() + $5 * interval '1 second' WHERE id = $1`,
            [workerId, item.id, item.attempt, claim, leaseSeconds],
          );
          const wip = (
            await c.query<{ worker_id: string; branch: string; commit_sha: string | null }>(`SELECT worker_id, branch, commit_sha FROM ${s}.wip WHERE item_id = $1 AND attempt = $2`, [
              item.id,
              item.attempt,
            ])
          ).rows[0];
          await record(c, { kind: 'item-claimed', workerId, itemId: item.id, attempt: item.attempt, detail: `claim ${claim}${wip ? `, resuming ${wip.branch}` : ''}` });
          return {
            item,
            workerId,
            claim,
            leaseMs: leaseSeconds * 1000,
            ...(wip ? { resume: { branch: wip.branch, workerId: wip.worker_id, ...(wip.commit_sha ? { commit: wip.commit_sha } : {}) } } : {}),
          };
        }
      });
    }),

    heartbeat: guarded((lease: Lease, wip?: WipRef) =>
      tx(async (c, db): Promise<HeartbeatReply> => {
        const gone = await unlessHeld(c, db, lease, await keepAlive(c, lease));
        if (gone) return gone;
        await c.query(`UPDATE ${s}.workers SET lease_until = now() + $2 * interval '1 millisecond' WHERE id = $1`, [lease.workerId, lease.leaseMs]);
        if (wip) {
          await saveWip(c, lease, wip);
          await record(c, { kind: 'wip-recorded', workerId: lease.workerId, itemId: lease.item.id, attempt: lease.item.attempt, detail: wip.branch });
        }
        return { held: true };
      }),
    ),

    complete: guarded((lease: Lease, result) =>
      tx(async (c, db) => {
        const { id, attempt } = lease.item;
        const mine = await holds(c, lease);
        await touch(c, lease.workerId);
        if (!mine) await lost(c, lease);
        const first = await addOutcome(c, { kind: 'result', itemId: id, attempt, workerId: lease.workerId, result });
        // The first result ends the item, whoever holds it now: the holder learns at its next heartbeat.
        if (mine || first) await endJob(db, lease.item, `result from ${lease.workerId}`);
        await letGo(c, lease);
        if (!first) {
          const by = (await outcomeBy(c, id, attempt))!;
          await record(c, { kind: 'result-duplicate', workerId: lease.workerId, itemId: id, attempt, detail: `first from ${by}` });
          return { recorded: false as const, reason: duplicateReason(id, attempt, by) };
        }
        await record(c, { kind: 'result-recorded', workerId: lease.workerId, itemId: id, attempt, detail: `${result.casesGained} case(s) gained on ${result.branch}` });
        return { recorded: true as const };
      }),
    ),

    release: guarded((lease: Lease, reason: string, wip?: WipRef) =>
      tx(async (c, db): Promise<HeartbeatReply> => {
        const gone = await unlessHeld(c, db, lease, await holds(c, lease));
        if (gone) return gone;
        await boss.fail(ITEMS_QUEUE, jobIdOf(lease.item.id, lease.item.attempt), { reason }, { db });
        if (wip) await saveWip(c, lease, wip);
        await letGo(c, lease);
        await record(c, { kind: 'item-released', workerId: lease.workerId, itemId: lease.item.id, attempt: lease.item.attempt, detail: reason });
        return { held: true };
      }),
    ),

    fail: guarded((lease: Lease, reason: string) =>
      tx(async (c, db): Promise<HeartbeatReply> => {
        const gone = await unlessHeld(c, db, lease, await holds(c, lease));
        if (gone) return gone;
        const { id, attempt } = lease.item;
        await endJob(db, lease.item, `failed: ${reason}`);
        await addOutcome(c, { kind: 'failed', itemId: id, attempt, workerId: lease.workerId, reason });
        await letGo(c, lease);
        await record(c, { kind: 'item-failed', workerId: lease.workerId, itemId: id, attempt, detail: reason });
        return { held: true };
      }),
    ),

    takeOutcome: guarded(() =>
      tx(async (c) => {
        const r = (
          await c.query<OutcomeRow>(
            `UPDATE ${s}.outcomes SET taken_at = now()
             WHERE seq = (SELECT seq FROM ${s}.outcomes WHERE taken_at IS NULL ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING item_id, attempt, kind, worker_id, body`,
          )
        ).rows[0];
        if (!r) return null;
        await record(c, { kind: 'outcome-taken', workerId: r.worker_id, itemId: r.item_id, attempt: r.attempt });
        return toOutcome(r);
      }),
    ),

    settle: guarded((itemId: string, attempt: number, verdict) =>
      tx(async (c) => {
        const r = await c.query<{ worker_id: string }>(
          `UPDATE ${s}.outcomes SET settled_at = now(), verdict = $3 WHERE item_id = $1 AND attempt = $2 AND taken_at IS NOT NULL AND settled_at IS NULL RETURNING worker_id`,
          [itemId, attempt, JSON.stringify(verdict)],
        );
        const row = r.rows[0];
        if (!row) return false;
        await record(c, { kind: 'outcome-settled', workerId: row.worker_id, itemId, attempt, detail: verdict.detail ? `${verdict.status}: ${verdict.detail}` : verdict.status });
        return true;
      }),
    ),

    inMerge: guarded(async () => {
      const r = await pool.query<OutcomeRow>(`SELECT * FROM ${s}.outcomes WHERE taken_at IS NOT NULL AND settled_at IS NULL ORDER BY seq`);
      return r.rows.map(toOutcome);
    }),

    note: guarded(async (event) => {
      await record(pool, event);
    }),

    events: guarded(async (afterSeq = 0) => {
      const r = await pool.query<EventRow>(`SELECT * FROM ${s}.events WHERE seq > $1 ORDER BY seq`, [afterSeq]);
      return r.rows.map((e) => ({
        seq: Number(e.seq),
        at: e.at.toISOString(),
        kind: e.kind,
        ...(e.worker_id !== null ? { workerId: e.worker_id } : {}),
        ...(e.item_id !== null ? { itemId: e.item_id } : {}),
        ...(e.attempt !== null ? { attempt: e.attempt } : {}),
        ...(e.detail !== null ? { detail: e.detail } : {}),
      }));
    }),

    snapshot: guarded(async () => {
      const workers = (await pool.query<WorkerRow>(`SELECT *, lease_until >= now() AS live FROM ${s}.workers ORDER BY id`)).rows;
      const items = (
        await pool.query<{ item: WorkItem; claims: number; done: boolean; holder: string | null }>(
          `SELECT i.item, i.claims, o.item_id IS NOT NULL AS done, w.id AS holder
           FROM ${s}.items i
           LEFT JOIN ${s}.outcomes o ON o.item_id = i.item_id AND o.attempt = i.attempt
           LEFT JOIN ${s}.workers w ON w.item_id = i.item_id AND w.attempt = i.attempt AND w.lease_until >= now()
           ORDER BY i.offered_at`,
        )
      ).rows;
      const outcomes = (await pool.query<OutcomeRow>(`SELECT * FROM ${s}.outcomes ORDER BY seq`)).rows;
      return {
        workers: workers.map((w) => ({
          id: w.id,
          host: w.host,
          pid: w.pid,
          lastSeen: w.last_seen.toISOString(),
          ...(w.item_id !== null && w.live ? { holding: { itemId: w.item_id, attempt: w.attempt!, claim: w.claim! } } : {}),
        })),
        items: items.map((r) => {
          const item = r.item;
          const holder = !r.done && r.holder ? r.holder : undefined;
          return {
            id: item.id,
            attempt: item.attempt,
            phase: item.phase,
            label: item.label,
            cases: item.cases.length,
            state: r.done ? ('done' as const) : holder ? ('held' as const) : ('waiting' as const),
            ...(holder ? { holder } : {}),
            claims: r.claims,
          };
        }),
        outcomes: outcomes.map((o) => ({
          itemId: o.item_id,
          attempt: o.attempt,
          kind: o.kind,
          workerId: o.worker_id,
          state: o.settled_at ? ('settled' as const) : o.taken_at ? ('merging' as const) : ('waiting' as const),
          ...(o.verdict ? { verdict: o.verdict } : {}),
        })),
      };
    }),

    async close() {
      await boss.stop({ graceful: false, close: false }).catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}
