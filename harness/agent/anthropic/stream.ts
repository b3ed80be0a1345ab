/**
 * One streamed Messages API call, assembled from the raw SSE events.
 *
 * Not the SDK's MessageStream: it rejects the whole message when a tool input is not
 * valid JSON (see test/agent/anthropic-fake.test.ts), and Porter must answer that with an
 * error tool_result the model can correct, not lose the turn. So the raw events are
 * accumulated here and each tool input is parsed once, at its content_block_stop.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { Usage } from '../../reports/usage.js';

/** An assistant content block as the API returned it (text, tool_use, thinking, ...). */
export type AssistantBlock = { type: string; [key: string]: unknown };

export interface StreamedMessage {
  content: AssistantBlock[];
  stopReason: string | null;
  usage: Usage;
  /** tool_use id → why its input could not be used (the block's input is then `{}`). */
  badInputs: Map<string, string>;
}

/** The stream ended (cleanly or not) before `message_stop`: the turn is incomplete. */
export class StreamCutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamCutError';
  }
}

export async function streamMessage(
  client: Anthropic,
  params: Anthropic.MessageCreateParamsNonStreaming,
  signal?: AbortSignal,
): Promise<StreamedMessage> {
  const stream = await client.messages.create({ ...params, stream: true }, signal ? { signal } : {});
  const acc = new Accumulator();
  for await (const event of stream) {
    if (acc.add(event)) return acc.result();
  }
  // The SDK ends iteration quietly when the caller aborted; say so rather than "cut".
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
  throw new StreamCutError(acc.started ? 'stream ended before message_stop' : 'stream ended without any event');
}

class Accumulator {
  started = false;
  private content: AssistantBlock[] = [];
  private jsonBufs = new Map<number, string>();
  private stopReason: string | null = null;
  private usage: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  private badInputs = new Map<string, string>();

  /** Returns true at message_stop. */
  add(event: Anthropic.RawMessageStreamEvent): boolean {
    switch (event.type) {
      case 'message_start':
        this.started = true;
        this.readUsage(event.message.usage);
        return false;
      case 'content_block_start':
        this.content[event.index] = { ...(event.content_block as unknown as AssistantBlock) };
        if (event.content_block.type === 'tool_use') this.jsonBufs.set(event.index, '');
        return false;
      case 'content_block_delta':
        this.delta(event.index, event.delta);
        return false;
      case 'content_block_stop':
        this.finishBlock(event.index);
        return false;
      case 'message_delta':
        this.stopReason = event.delta.stop_reason ?? null;
        this.readUsage(event.usage);
        return false;
      case 'message_stop':
        return true;
      default:
        return false;
    }
  }

  result(): StreamedMessage {
    // Blocks whose stop never came are finished too, so no tool_use is left without an input.
    for (const index of [...this.jsonBufs.keys()]) this.finishBlock(index);
    return { content: this.content.filter(Boolean), stopReason: this.stopReason, usage: this.usage, badInputs: this.badInputs };
  }

  private delta(index: number, delta: Anthropic.RawContentBlockDelta): void {
    const block = this.content[index];
    if (!block) return;
    switch (delta.type) {
      case 'text_delta':
        block.text = String(block.text ?? '') + delta.text;
        break;
      case 'input_json_delta':
        this.jsonBufs.set(index, (this.jsonBufs.get(index) ?? '') + delta.partial_json);
        break;
      case 'thinking_delta':
        block.thinking = String(block.thinking ?? '') + delta.thinking;
        break;
      case 'signature_delta':
        block.signature = delta.signature;
        break;
      case 'citations_delta':
        block.citations = [...((block.citations as unknown[] | null) ?? []), delta.citation];
        break;
    }
  }

  private finishBlock(index: number): void {
    const buf = this.jsonBufs.get(index);
    const block = this.content[index];
    if (buf === undefined || !block) return;
    this.jsonBufs.delete(index);
    if (buf.trim() === '') {
      block.input = block.input ?? {};
      return;
    }
    try {
      const input: unknown = JSON.parse(buf);
      if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new Error('the input is not a JSON object');
      block.input = input;
    } catch (err) {
      block.input = {};
      this.badInputs.set(String(block.id), `${(err as Error).message}; received: ${buf.length > 300 ? buf.slice(0, 300) + '...' : buf}`);
    }
  }

  private readUsage(u: Partial<Anthropic.Usage> | Anthropic.MessageDeltaUsage): void {
    if (u.input_tokens != null) this.usage.input = u.input_tokens;
    if (u.output_tokens != null) this.usage.output = u.output_tokens;
    if (u.cache_read_input_tokens != null) this.usage.cacheRead = u.cache_read_input_tokens;
    if (u.cache_creation_input_tokens != null) this.usage.cacheWrite = u.cache_creation_input_tokens;
  }
}
