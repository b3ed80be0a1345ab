import type { TargetError } from './types.js';

export type ParsedResponse =
  | { ok: true; output: string; error?: TargetError }
  | {
      ok: false;
      message: string;
      /** True when the stream can no longer be trusted (a line that is not the answer to this request). */
      desync: boolean;
    };

const SNIPPET = 120;

export function snippet(text: string): string {
  const s = text.length > SNIPPET ? text.slice(0, SNIPPET) + '…' : text;
  return JSON.stringify(s);
}

/**
 * Validates one response line against the request in flight.
 *
 * A line that is not JSON (a stray debug print) or answers another id means the worker writes
 * something other than exactly one line per request, so later lines would be attributed to the
 * wrong cases: the caller restarts the worker (`desync`). A JSON answer to the right id with a
 * bad shape is this case's error only; the stream is still in step.
 */
export function parseResponse(line: string, expectedId: string): ParsedResponse {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      desync: true,
      message: `protocol error: the target printed a line that is not JSON (${why}): ${snippet(line)} — write exactly one JSON response line per request on stdout and send logs to stderr`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, desync: true, message: `protocol error: the response is not a JSON object: ${snippet(line)}` };
  }
  const obj = value as Record<string, unknown>;
  if (obj.id !== expectedId) {
    return {
      ok: false,
      desync: true,
      message:
        obj.id === undefined
          ? `protocol error: the response has no "id" (expected ${JSON.stringify(expectedId)}) — echo the request id in every response`
          : `protocol error: the response id ${JSON.stringify(obj.id)} does not match the request id ${JSON.stringify(expectedId)} — answer each request with its own id, one line per request, in order`,
    };
  }
  if (typeof obj.output !== 'string') {
    return { ok: false, desync: false, message: `protocol error: the response has no string "output" field: ${snippet(line)}` };
  }
  const err = obj.error;
  if (err === undefined || err === null) return { ok: true, output: obj.output };
  const parsed = parseError(err);
  if (typeof parsed === 'string') return { ok: false, desync: false, message: `protocol error: ${parsed}: ${snippet(line)}` };
  return { ok: true, output: obj.output, error: parsed };
}

function parseError(err: unknown): TargetError | string {
  if (typeof err !== 'object' || err === null || Array.isArray(err)) return '"error" must be an object {kind, message, line}';
  const e = err as Record<string, unknown>;
  const out: TargetError = {};
  if (e.kind !== undefined && e.kind !== null) {
    if (typeof e.kind !== 'string') return '"error.kind" must be a string';
    out.kind = e.kind;
  }
  if (e.message !== undefined && e.message !== null) {
    if (typeof e.message !== 'string') return '"error.message" must be a string';
    out.message = e.message;
  }
  if (e.line !== undefined && e.line !== null) {
    if (typeof e.line !== 'number' || !Number.isInteger(e.line)) return '"error.line" must be an integer';
    out.line = e.line;
  }
  return out;
}
