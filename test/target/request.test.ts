import { describe, expect, it } from 'vitest';
import { createRequestSerializer, serializeRequest } from '../../harness/target/request.js';
import { parseResponse } from '../../harness/target/response.js';
import type { TargetRequest } from '../../harness/target/types.js';

const req: TargetRequest = {
  id: 'test_lexer__lexer@raw "q".txt',
  phase: 'lexer',
  input: { path: 'tests/lexer-inputs/raw.txt', header: { $settings: { trim: true } }, header_raw: '{"$settings": {"trim": true}}', body: 'a\nb\t\u2028\u0000ü' },
  params: { cmd: 'eval', stream: 'stderr', file: 'foo "q".ncl' },
  files: { 'tests/inputs/refs/a.txt': '{{ x }}\n', 'b.txt': '' },
  snapshot: { path: 'tests/snapshots/x.snap', header: { source: 'x', extra: {} } },
};

describe('serializeRequest', () => {
  it('is one line equal to JSON.stringify of the request, fields in protocol order', () => {
    const line = serializeRequest(req);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(line).toBe(JSON.stringify(req) + '\n');
    expect(Object.keys(JSON.parse(line))).toEqual(['id', 'phase', 'input', 'params', 'files', 'snapshot']);
    expect(Object.keys(JSON.parse(line).input)).toEqual(['path', 'header', 'header_raw', 'body']);
  });

  it('uses the pre-serialised files JSON it is given, and handles a case without input', () => {
    const line = serializeRequest({ ...req, input: null }, '{"only":"this"}');
    expect(JSON.parse(line)).toEqual({ ...req, input: null, files: { only: 'this' } });
  });

  it('sends params: {} for a request built without them, so the line stays valid JSON', () => {
    const { params: _, ...bare } = req;
    expect(JSON.parse(serializeRequest(bare as TargetRequest)).params).toEqual({});
  });

  it('the caching serialiser reflects each files object', () => {
    const serialize = createRequestSerializer();
    const other = { ...req, files: { 'c.txt': 'c' } };
    expect(serialize(req)).toBe(JSON.stringify(req) + '\n');
    expect(serialize(other)).toBe(JSON.stringify(other) + '\n');
    expect(serialize(req)).toBe(JSON.stringify(req) + '\n');
  });
});

describe('parseResponse', () => {
  it('accepts output with an optional error, treating null fields as absent', () => {
    expect(parseResponse('{"id":"a","output":"x"}', 'a')).toEqual({ ok: true, output: 'x' });
    expect(parseResponse('{"id":"a","output":"","error":{"kind":"SyntaxError","message":"m","line":null}}', 'a')).toEqual({
      ok: true,
      output: '',
      error: { kind: 'SyntaxError', message: 'm' },
    });
    expect(parseResponse('{"id":"a","output":"x","error":null}', 'a')).toEqual({ ok: true, output: 'x' });
  });

  it('marks lines that break the stream as desync and shape errors as not', () => {
    expect(parseResponse('hello', 'a')).toMatchObject({ ok: false, desync: true });
    expect(parseResponse('[1]', 'a')).toMatchObject({ ok: false, desync: true });
    expect(parseResponse('{"output":"x"}', 'a')).toMatchObject({ ok: false, desync: true, message: expect.stringContaining('no "id"') });
    expect(parseResponse('{"id":"b","output":"x"}', 'a')).toMatchObject({ ok: false, desync: true });
    expect(parseResponse('{"id":"a","output":3}', 'a')).toMatchObject({ ok: false, desync: false });
    expect(parseResponse('{"id":"a","output":"x","error":"boom"}', 'a')).toMatchObject({ ok: false, desync: false, message: expect.stringContaining('"error" must be an object') });
    expect(parseResponse('{"id":"a","output":"x","error":{"line":"3"}}', 'a')).toMatchObject({ ok: false, message: expect.stringContaining('error.line') });
  });
});
