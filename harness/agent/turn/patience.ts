/**
 * Patient waiting through API trouble, on top of a client's own few quick retries: a night
 * run must outlive an hour of 429 / 5xx / overloaded / dropped connections. Exponential
 * backoff with jitter, capped; a server's retry-after is honoured; the total wait is
 * bounded by `patienceMs`. Which errors are worth waiting for is the provider's call
 * (`classify`): requests the server rejects (400, 401, 403, ...) are not retried.
 */

export type Failure =
  | { kind: 'retry'; status: number | null; retryAfterMs: number | null; message: string }
  | { kind: 'fatal'; status: number | null; message: string }
  | { kind: 'aborted'; message: string };

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
  random: () => Math.random(),
};

export interface PatienceOptions {
  /** Total time one request may spend failing before giving up. */
  patienceMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  clock: Clock;
  signal?: AbortSignal;
  /** The provider's reading of an error: wait and retry, give up, or the caller aborted. */
  classify(err: unknown): Failure;
  /** Called before each wait (the turn loop logs it as `api-retry`). */
  onWait(wait: { attempt: number; status: number | null; waitMs: number; message: string }): void;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: Exclude<Failure, { kind: 'retry' }> };

export async function withPatience<T>(attempt: () => Promise<T>, opts: PatienceOptions): Promise<Outcome<T>> {
  const start = opts.clock.now();
  for (let n = 1; ; n++) {
    if (opts.signal?.aborted) return { ok: false, failure: { kind: 'aborted', message: 'aborted' } };
    try {
      return { ok: true, value: await attempt() };
    } catch (err) {
      const failure = opts.signal?.aborted ? ({ kind: 'aborted', message: 'aborted' } as const) : opts.classify(err);
      if (failure.kind !== 'retry') return { ok: false, failure };
      const waitMs = failure.retryAfterMs ?? backoffMs(n, opts.initialDelayMs, opts.maxDelayMs, opts.clock.random());
      const waited = opts.clock.now() - start;
      if (waited + waitMs > opts.patienceMs) {
        const message = `gave up after ${n} attempts over ${Math.round(waited / 1000)} s (patience ${Math.round(opts.patienceMs / 1000)} s): ${failure.message}`;
        return { ok: false, failure: { kind: 'fatal', status: failure.status, message } };
      }
      opts.onWait({ attempt: n, status: failure.status, waitMs, message: failure.message });
      await opts.clock.sleep(waitMs, opts.signal);
    }
  }
}

/** Exponential, capped, with up to 25 % jitter downwards so many clients do not retry in step. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - 0.25 * random));
}
