import type { TargetRequest } from './types.js';

/**
 * One protocol line for `req`, ending in `\n`.
 *
 * Built by concatenation rather than one `JSON.stringify(req)` so that `files` — often the
 * largest part and identical for every case of a phase — is serialised once per phase and
 * reused (`filesJson`). Field order follows the protocol: id, phase, input, params, files, snapshot.
 */
export function serializeRequest(req: TargetRequest, filesJson?: string): string {
  return (
    '{"id":' +
    JSON.stringify(req.id) +
    ',"phase":' +
    JSON.stringify(req.phase) +
    ',"input":' +
    (req.input === null ? 'null' : JSON.stringify(req.input)) +
    ',"params":' +
    // A request built by hand without params (JavaScript callers, older helpers) still sends valid JSON.
    (req.params === undefined ? '{}' : JSON.stringify(req.params)) +
    ',"files":' +
    (filesJson ?? JSON.stringify(req.files)) +
    ',"snapshot":' +
    JSON.stringify(req.snapshot) +
    '}\n'
  );
}

/**
 * A serialiser that caches each `files` object's JSON by identity: the suite hands every case
 * of a phase the same `files` object, so it is stringified once per phase without the caller
 * having to track phases. A mutated `files` object would go stale; the suite never mutates one.
 */
export function createRequestSerializer(): (req: TargetRequest) => string {
  const cache = new WeakMap<object, string>();
  return (req) => {
    let filesJson = cache.get(req.files);
    if (filesJson === undefined) {
      filesJson = JSON.stringify(req.files);
      cache.set(req.files, filesJson);
    }
    return serializeRequest(req, filesJson);
  };
}
