/**
 * Small real stand-ins for the backend tests: an in-memory session sink that keeps the
 * entries (and can write them as JSONL), a budget gate with a fixed price, and a ToolSet
 * that reads and writes files in a temp dir and counts its executions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BudgetGate, IterationContext, SessionEntry, SessionEvent, SessionSink, ToolResult, ToolSet } from '../../harness/agent/types.js';
import type { Usage } from '../../harness/reports/usage.js';

export class MemorySession implements SessionSink {
  readonly entries: SessionEntry[] = [];

  constructor(initial: SessionEntry[] = []) {
    this.entries.push(...initial);
  }

  append(event: SessionEvent): SessionEntry {
    // A JSON round trip, as the real log does, so nothing relies on shared object identity.
    const entry = JSON.parse(JSON.stringify({ v: 1, seq: this.entries.length + 1, ts: new Date(0).toISOString(), ...event })) as SessionEntry;
    this.entries.push(entry);
    return entry;
  }

  ofType<T extends SessionEvent['type']>(type: T): Extract<SessionEntry, { type: T }>[] {
    return this.entries.filter((e): e is Extract<SessionEntry, { type: T }> => e.type === type);
  }
}

/** $1 per million input or output tokens, cache reads at a tenth; refuses past `limitUsd`. */
export class FixedPriceBudget implements BudgetGate {
  spentUsd = 0;
  checks: { model: string; inputTokens: number; maxOutputTokens: number }[] = [];
  recorded: Usage[] = [];
  /** Models of requests that were allowed but failed without a response. */
  released: string[] = [];

  constructor(readonly limitUsd = Infinity) {}

  check(model: string, worstCase: { inputTokens: number; maxOutputTokens: number }): string | null {
    this.checks.push({ model, ...worstCase });
    const worst = (worstCase.inputTokens + worstCase.maxOutputTokens) / 1e6;
    return this.spentUsd + worst > this.limitUsd ? `budget: $${this.spentUsd.toFixed(4)} spent, worst case $${worst.toFixed(4)} would cross $${this.limitUsd}` : null;
  }

  record(_model: string, usage: Usage): number {
    this.recorded.push(usage);
    const cost = (usage.input + usage.output + usage.cacheWrite + usage.cacheRead / 10) / 1e6;
    this.spentUsd += cost;
    return cost;
  }

  release(model: string): void {
    this.released.push(model);
  }
}

/** `write {path, content}`, `read {path}`, `run_tests {}` (counts files), in a temp dir. */
export class TempDirTools implements ToolSet {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-anthropic-'));
  readonly executions: { name: string; input: unknown }[] = [];

  definitions = [
    { name: 'read', description: 'Read a file', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } }, required: ['path'] } },
    {
      name: 'write',
      description: 'Write a file',
      input_schema: { type: 'object' as const, properties: { path: { type: 'string' }, content: { type: 'string' } }, required: ['path', 'content'] },
    },
    { name: 'run_tests', description: 'Run the tests', input_schema: { type: 'object' as const, properties: {} } },
  ];

  async execute(name: string, input: unknown): Promise<ToolResult> {
    this.executions.push({ name, input });
    const args = (input ?? {}) as Record<string, unknown>;
    if (name === 'write') {
      if (typeof args.path !== 'string' || typeof args.content !== 'string') return { content: 'write needs path and content strings', isError: true };
      fs.writeFileSync(path.join(this.dir, args.path), args.content);
      return { content: `wrote ${args.path} (${args.content.length} chars)`, isError: false };
    }
    if (name === 'read') {
      const file = path.join(this.dir, String(args.path));
      return fs.existsSync(file) ? { content: fs.readFileSync(file, 'utf8'), isError: false } : { content: `no such file: ${String(args.path)}`, isError: true };
    }
    if (name === 'run_tests') return { content: `${fs.readdirSync(this.dir).length} files present`, isError: false };
    return { content: `unknown tool ${name}`, isError: true };
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function iterationContext(over: Partial<IterationContext> & Pick<IterationContext, 'tools' | 'session' | 'budget'>): IterationContext {
  return { iteration: 1, phase: 'lexer', message: 'Make the lexer cases pass.', seed: 'Phase lexer: port the lexer.', fresh: true, model: 'claude-test', ...over };
}

/** A clock whose sleeps are recorded and take 1 ms, so retry tests do not wait for real. */
export function recordingClock(): { now(): number; sleep(ms: number): Promise<void>; random(): number; sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
      await new Promise((r) => setTimeout(r, 1));
    },
    random: () => 0.5,
  };
}
