/**
 * How the Messages API and its SDK report trouble, read as the turn loop's patience needs
 * it: wait and retry (429, 5xx, 529, dropped connections, a stream cut short), give up with
 * a sentence a maintainer can act on (bad key, unknown model), or the caller aborted.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { Failure } from '../turn/patience.js';
import { StreamCutError } from './stream.js';

// A retry-after beyond this is more likely a misconfigured proxy than a real instruction.
const MAX_RETRY_AFTER_MS = 15 * 60_000;

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
