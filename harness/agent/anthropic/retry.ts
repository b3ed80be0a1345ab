/**
 * Patient waiting through API trouble, on top of the SDK's own few quick retries: a night
 * run must outlive an hour of 429 / 5xx / 529 / dropped connections. Exponential backoff
 * with jitter, capped; a server's retry-after is honoured; the total wait is bounded by
 * `patienceMs`. Requests the server rejects (400, 401, 403, ...) are not retried.
 */
import Anthropic from '@anthropic-ai/sdk';
import { StreamCutError } from './stream.js';

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
  /** Called before each wait (the backend logs it as `api-retry`). */
  onWait(wait: { attempt: number; status: number | null; waitMs: number; message: string }): void;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: Exclude<Failure, { kind: 'retry' }> };

// A retry-after beyond this is more likely a misconfigured proxy than a real instruction.
const MAX_RETRY_AFTER_MS = 15 * 60_000;

export async function withPatience<T>(attempt: () => Promise<T>, opts: PatienceOptions): Promise<Outcome<T>> {
  const start = opts.clock.now();
  for (let n = 1; ; n++) {
    if (opts.signal?.aborted) return { ok: false, failure: { kind: 'aborted', message: 'aborted' } };
    try {
      return { ok: true, value: await attempt() };
    } catch (err) {
      const failure = opts.signal?.aborted ? ({ kind: 'aborted', message: 'aborted' } as const) : classifyError(err);
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

export function classifyError(err: unknown): Failure {
  if (err instanceof Anthropic.APIUserAbortError) return { kind: 'aborted', message: 'aborted' };
  if (err instanceof Anthropic.APIConnectionError) {
    return { kind: 'retry', status: null, retryAfterMs: null, message: `connection failed: ${err.message}` };
  }
  if (err instanceof Anthropic.APIError) return classifyApiError(err);
  if (err instanceof StreamCutError) return { kind: 'retry', status: null, retryAfterMs: null, message: err.message };
  if (err instanceof Anthropic.AnthropicError && /stream ended|request ended without/i.test(err.message)) {
    return { kind: 'retry', status: null, retryAfterMs: null, message: err.message };
  }
  if (isNetworkError(err)) return { kind: 'retry', status: null, retryAfterMs: null, message: `connection dropped: ${describe(err)}` };
  return { kind: 'fatal', status: null, message: `unexpected error from the API client: ${describe(err)}` };
}

function classifyApiError(err: InstanceType<typeof Anthropic.APIError>): Failure {
  const status = err.status ?? null;
  const what = [status ?? 'stream error', err.type, err.apiMessage].filter(Boolean).join(' ');
  // An `error` event inside a stream has no HTTP status; its type says whether it is transient.
  if (status === null) {
    const fatalType = err.type === 'invalid_request_error' || err.type === 'authentication_error' || err.type === 'permission_error';
    return fatalType ? { kind: 'fatal', status, message: explain(what, null) } : { kind: 'retry', status, retryAfterMs: null, message: what };
  }
  const shouldRetry = err.headers?.get('x-should-retry');
  const transient = status === 408 || status === 409 || status === 429 || status >= 500;
  if (shouldRetry === 'false' || (!transient && shouldRetry !== 'true')) return { kind: 'fatal', status, message: explain(what, status) };
  return { kind: 'retry', status, retryAfterMs: retryAfterMs(err.headers), message: what };
}

function explain(what: string, status: number | null): string {
  if (status === 401) return `Anthropic API refused the credentials (${what}); check ANTHROPIC_API_KEY`;
  if (status === 403) return `Anthropic API denied access (${what}); check the key's permissions and the model name`;
  if (status === 404) return `Anthropic API did not find it (${what}); check the model name and ANTHROPIC_BASE_URL`;
  return `Anthropic API rejected the request (${what})`;
}

export function retryAfterMs(headers: Headers | undefined): number | null {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(parseFloat(ms)) && parseFloat(ms) >= 0) return Math.min(parseFloat(ms), MAX_RETRY_AFTER_MS);
  const value = headers?.get('retry-after');
  if (!value) return null;
  const seconds = parseFloat(value);
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(wait) && wait >= 0 ? Math.min(wait, MAX_RETRY_AFTER_MS) : null;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** undici reports a body cut mid-way as TypeError('terminated') with the socket error as cause. */
function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR'))) return true;
    if (e instanceof TypeError && /terminated|fetch failed|other side closed/i.test(e.message)) return true;
  }
  return false;
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.replace(/\s+/g, ' ');
  return String(err);
}
