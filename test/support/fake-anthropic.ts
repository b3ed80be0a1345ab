/**
 * A fake Anthropic Messages API on loopback for tests: the real `@anthropic-ai/sdk`
 * client is pointed at it through `baseURL` and streams from it exactly as from the API
 * (SSE: message_start, content_block_start / delta / stop, message_delta, message_stop).
 *
 * Each POST /v1/messages takes the next item of its conversation's queue, else of the shared
 * queue (a scripted turn or a fault); when both are empty it asks the responder, if any. With
 * neither, it answers 400 so a test whose script ran out fails fast instead of retrying.
 *
 * Several conversations can run at once (parallel workers, each its own client): requests are
 * served concurrently, and each belongs to a conversation, named by the `x-fake-conversation`
 * header when the client sends one, else by its first user message (conversationKey), which
 * stays the same for every request of a conversation.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ScriptedBlock =
  | { type: 'text'; text: string }
  /** `rawInput` is sent verbatim as the input JSON (may be invalid on purpose). */
  | { type: 'tool_use'; name: string; input?: unknown; rawInput?: string; id?: string };

export interface ScriptedUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface ScriptedTurn {
  kind?: 'turn';
  content: ScriptedBlock[];
  /** Defaults to `tool_use` when the content has a tool_use block, else `end_turn`. */
  stopReason?: string;
  /** Defaults: input ≈ request chars / 4, output ≈ content chars / 4, no cache. */
  usage?: ScriptedUsage;
  /** Wait before sending the response headers. */
  delayMs?: number;
  /** Wait between SSE events. */
  chunkDelayMs?: number;
}

export type Fault =
  /** An HTTP error answer with the API's error body, e.g. 429 rate_limit_error, 529 overloaded_error. */
  | { kind: 'status'; status: number; errorType?: string; message?: string; retryAfter?: number; shouldRetry?: boolean }
  /** Streams a partial turn, then destroys the socket (a dropped connection mid-SSE). */
  | { kind: 'drop'; afterEvents?: number; turn?: ScriptedTurn }
  /** Streams a partial turn, then an SSE `error` event, as the API does when it overloads mid-stream. */
  | { kind: 'sse-error'; errorType?: string; afterEvents?: number; turn?: ScriptedTurn };

export type ScriptItem = ScriptedTurn | Fault;

export interface RecordedRequest {
  /** The parsed JSON body the SDK sent. */
  body: any;
  headers: http.IncomingHttpHeaders;
  /** What the server answered: 'turn', a fault kind, or 'exhausted'. */
  answer: string;
  /** The conversation the request belongs to. */
  conversation: string;
}

/** `index` counts requests over all conversations; the server always passes `conversation`, the request's one. */
export type Responder = (body: any, index: number, conversation?: string) => ScriptItem | Promise<ScriptItem>;

export interface FakeAnthropic {
  /** baseURL for the SDK (no trailing /v1). */
  url: string;
  requests: RecordedRequest[];
  enqueue(...items: ScriptItem[]): void;
  /** Queues items for one conversation only; they go before the shared queue. */
  enqueueFor(conversation: string, ...items: ScriptItem[]): void;
  /** Items still queued, shared and per conversation. */
  pending(): number;
  /** The conversations seen so far, in the order of their first request. */
  conversations(): string[];
  setResponder(responder: Responder | undefined): void;
  close(): Promise<void>;
}

const MAX_REQUESTS = 5_000;

/** A header a client may send to name its conversation. */
export const CONVERSATION_HEADER = 'x-fake-conversation';

/** The name of a conversation that starts with this user text (and sends no header). */
export function conversationKey(firstUserText: string): string {
  return `c-${crypto.createHash('sha256').update(firstUserText).digest('hex').slice(0, 12)}`;
}

function conversationOf(body: any, headers: http.IncomingHttpHeaders): string {
  const named = headers[CONVERSATION_HEADER];
  if (typeof named === 'string' && named !== '') return named;
  const first = Array.isArray(body?.messages) ? body.messages.find((m: any) => m?.role === 'user') : undefined;
  const blocks: any[] = typeof first?.content === 'string' ? [{ type: 'text', text: first.content }] : Array.isArray(first?.content) ? first.content : [];
  return conversationKey(blocks.filter((b) => b?.type === 'text').map((b) => String(b.text)).join('\n'));
}
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface FakeAnthropicOptions {
  script?: ScriptItem[];
  responder?: Responder;
  /** Reject malformed conversations with 400, as the API does. Default true. */
  validate?: boolean;
}

export async function startFakeAnthropic(opts: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const queue: ScriptItem[] = [...(opts.script ?? [])];
  const queues = new Map<string, ScriptItem[]>();
  const seen: string[] = [];
  let responder = opts.responder;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let nextId = 1;

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'api_error', `fake-anthropic: ${String(err)}`);
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
      sendError(res, 404, 'not_found_error', `fake-anthropic: no route ${req.method} ${req.url}`);
      return;
    }
    const body = JSON.parse(raw) as any;
    const conversation = conversationOf(body, req.headers);
    if (!seen.includes(conversation)) seen.push(conversation);
    const record: RecordedRequest = { body, headers: req.headers, answer: 'exhausted', conversation };
    requests.push(record);
    if (requests.length > MAX_REQUESTS) {
      sendError(res, 400, 'invalid_request_error', `fake-anthropic: more than ${MAX_REQUESTS} requests`);
      return;
    }
    const malformed = opts.validate === false ? null : validateMessages(body);
    if (malformed) {
      record.answer = 'invalid';
      sendError(res, 400, 'invalid_request_error', `fake-anthropic: ${malformed}`);
      return;
    }
    const item = queues.get(conversation)?.shift() ?? queue.shift() ?? (responder ? await responder(body, requests.length - 1, conversation) : undefined);
    if (!item) {
      sendError(res, 400, 'invalid_request_error', 'fake-anthropic: script exhausted (no turn queued, no responder)');
      return;
    }
    if (item.kind === 'status') {
      record.answer = `status ${item.status}`;
      const headers: Record<string, string> = {};
      if (item.retryAfter !== undefined) headers['retry-after'] = String(item.retryAfter);
      if (item.shouldRetry !== undefined) headers['x-should-retry'] = String(item.shouldRetry);
      sendError(res, item.status, item.errorType ?? errorTypeFor(item.status), item.message ?? `fake ${item.status}`, headers);
      return;
    }
    if (item.kind === 'drop' || item.kind === 'sse-error') {
      record.answer = item.kind;
      const events = turnEvents(item.turn ?? { content: [{ type: 'text', text: 'partial answer that never ends' }] }, body, `msg_fake_${nextId++}`);
      const cut = Math.min(item.afterEvents ?? 2, events.length - 1);
      await streamEvents(res, events.slice(0, cut), 0);
      if (item.kind === 'drop') {
        res.socket?.destroy();
        return;
      }
      const error = { type: 'error', error: { type: item.errorType ?? 'overloaded_error', message: 'Overloaded' } };
      res.end(`event: error\ndata: ${JSON.stringify(error)}\n\n`);
      return;
    }
    record.answer = 'turn';
    if (item.delayMs) await delay(item.delayMs);
    await streamEvents(res, turnEvents(item, body, `msg_fake_${nextId++}`), item.chunkDelayMs ?? 0);
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...items) => void queue.push(...items),
    enqueueFor: (conversation, ...items) => {
      const q = queues.get(conversation) ?? [];
      q.push(...items);
      queues.set(conversation, q);
    },
    pending: () => queue.length + [...queues.values()].reduce((n, q) => n + q.length, 0),
    conversations: () => [...seen],
    setResponder: (r) => void (responder = r),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The API's main structural rules for `messages`: starts with a user turn, roles alternate,
 * every tool_use is answered by a tool_result in the next user turn and every tool_result
 * answers a tool_use of the turn before, no empty text blocks, at most 4 cache breakpoints.
 * Returns what is wrong, or null.
 */
export function validateMessages(body: any): string | null {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  if (messages.length === 0) return 'messages: at least one message is required';
  if (messages[0].role !== 'user') return 'messages: the first message must use the user role';
  const blocksOf = (m: any): any[] => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content);
  let breakpoints = 0;
  const count = (x: any): void => void (x?.cache_control ? breakpoints++ : 0);
  (Array.isArray(body.system) ? body.system : []).forEach(count);
  (Array.isArray(body.tools) ? body.tools : []).forEach(count);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (i > 0 && messages[i - 1].role === m.role) return `messages.${i}: roles must alternate between user and assistant`;
    const blocks = blocksOf(m);
    if (blocks.length === 0) return `messages.${i}: content must not be empty`;
    blocks.forEach(count);
    if (blocks.some((b) => b.type === 'text' && b.text === '')) return `messages.${i}: text content blocks must be non-empty`;
    const uses = blocks.filter((b) => b.type === 'tool_use').map((b) => b.id);
    const results = blocks.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id);
    if (m.role === 'user' && results.length > 0) {
      const prev = i > 0 ? blocksOf(messages[i - 1]).filter((b) => b.type === 'tool_use').map((b) => b.id) : [];
      const orphan = results.find((id: string) => !prev.includes(id));
      if (orphan) return `messages.${i}: unexpected tool_use_id ${orphan} in tool_result blocks`;
    }
    if (m.role === 'assistant' && uses.length > 0 && i + 1 < messages.length) {
      const next = blocksOf(messages[i + 1]).filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id);
      const missing = uses.find((id: string) => !next.includes(id));
      if (missing) return `messages.${i + 1}: tool_use ids were found without tool_result blocks immediately after: ${missing}`;
    }
  }
  if (messages[messages.length - 1].role === 'assistant' && blocksOf(messages[messages.length - 1]).some((b) => b.type === 'tool_use')) {
    return 'messages: the last assistant turn has tool_use blocks without results';
  }
  if (breakpoints > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.`;
  return null;
}

/** The SSE events of one turn, as the Messages API streams them. */
export function turnEvents(turn: ScriptedTurn, body: unknown, id: string): object[] {
  const hasTool = turn.content.some((b) => b.type === 'tool_use');
  const usage = {
    input_tokens: turn.usage?.input_tokens ?? Math.ceil(JSON.stringify(body ?? '').length / 4),
    output_tokens: turn.usage?.output_tokens ?? Math.max(1, Math.ceil(JSON.stringify(turn.content).length / 4)),
    cache_read_input_tokens: turn.usage?.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: turn.usage?.cache_creation_input_tokens ?? 0,
  };
  const model = typeof (body as any)?.model === 'string' ? (body as any).model : 'claude-fake';
  const events: object[] = [
    {
      type: 'message_start',
      message: {
        id, type: 'message', role: 'assistant', content: [], model, stop_reason: null, stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    },
  ];
  turn.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const piece of chunks(block.text, 40)) {
        events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
      }
    } else {
      const toolId = block.id ?? `toolu_fake_${id}_${index}`;
      events.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: toolId, name: block.name, input: {} } });
      const json = block.rawInput ?? JSON.stringify(block.input ?? {});
      for (const piece of chunks(json, 60)) {
        events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
      }
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push({
    type: 'message_delta',
    delta: { stop_reason: turn.stopReason ?? (hasTool ? 'tool_use' : 'end_turn'), stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  events.push({ type: 'message_stop' });
  return events;
}

async function streamEvents(res: http.ServerResponse, events: object[], gapMs: number): Promise<void> {
  if (!res.headersSent) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': 'req_fake' });
  }
  for (const [i, event] of events.entries()) {
    if (res.destroyed) return;
    if (i === 1) res.write('event: ping\ndata: {"type": "ping"}\n\n');
    res.write(`event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`);
    if (gapMs) await delay(gapMs);
  }
}

function sendError(res: http.ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake', ...headers });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
}

function errorTypeFor(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 400) return 'invalid_request_error';
  return 'api_error';
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('fake-anthropic: request body too large'));
      else parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function chunks(text: string, size: number): string[] {
  if (text === '') return [];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
