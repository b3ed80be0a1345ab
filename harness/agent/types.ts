/**
 * Contracts between the agent loop (harness/agent/loop*), the workspace side
 * (tools, guard, git, session log, budget) and the backends (Anthropic, command).
 */
import type { StopReason, Usage } from '../reports/usage.js';

/** What a tool call returns to the model. A failure is a result the model sees, never a thrown error. */
export interface ToolResult {
  content: string;
  isError: boolean;
}

/** A tool as offered to the model (Anthropic tool definition shape). */
export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: { type: 'object'; properties: Record<string, unknown>; required?: string[] };
}

/** Executes the built-in tools inside the workspace; validates its own input. */
export interface ToolSet {
  definitions: ToolDefinition[];
  /** `signal` aborts a running tool (a bash command is killed with its children). */
  execute(name: string, input: unknown, signal?: AbortSignal): Promise<ToolResult>;
}

/**
 * One line of `.porter/sessions/<run>.jsonl`. Append-only, flushed before the next
 * step starts; `seq` increases by one per entry. Readers skip a torn last line.
 */
export type SessionEntry = { v: 1; seq: number; ts: string } & SessionEvent;

export type SessionEvent =
  /** `rev`: the workspace's HEAD when the segment started (the first green point of a new run). */
  | { type: 'run-start'; run: string; config: string; argv: string[]; resumedFrom?: number; rev?: string }
  /** `kind`: `summary` for the request that ends a phase with its summary; absent means `work`. */
  | { type: 'iteration-start'; iteration: number; phase: string; message: string; fresh: boolean; kind?: 'work' | 'summary' }
  /** A request about to be sent: its message count and the model. Content lives in earlier entries. */
  | { type: 'request'; iteration: number; model: string; messages: number }
  /** A complete model response (assistant content blocks as the API returned them) and its usage. */
  | { type: 'response'; iteration: number; model: string; content: unknown[]; stopReason: string | null; usage: Usage; costUsd: number }
  | { type: 'tool-call'; iteration: number; toolUseId: string; name: string; input: unknown }
  | { type: 'tool-result'; iteration: number; toolUseId: string; result: ToolResult }
  /**
   * Conversation history replaced by a summary (compaction): turns before `keptFrom` are gone.
   * `model`/`usage`/`costUsd` are the summarisation call's own (it has no response entry).
   */
  | { type: 'compaction'; iteration: number; summary: string; keptFrom: number; model?: string; usage?: Usage; costUsd?: number }
  | { type: 'api-retry'; iteration: number; attempt: number; status: number | null; waitMs: number; message: string }
  | { type: 'command-run'; iteration: number; command: string[]; exitCode: number | null; timedOut: boolean; outputFile: string; durationMs: number }
  /**
   * The harness's own verdict after an iteration; `pass`/`total` are the phase's, `passingIds`
   * all phases'. `baseline`: a run at the start of a segment that sets the scene, not a ratchet step.
   */
  | { type: 'test-run'; iteration: number; phase: string; pass: number; total: number; passingIds: string[]; summary: Record<string, unknown>; baseline?: boolean }
  | { type: 'commit'; iteration: number; rev: string; message: string }
  | { type: 'reset'; iteration: number; rev: string; reason: string }
  | { type: 'tamper'; iteration: number; path: string; action: 'restored' | 'refused'; detail: string }
  | { type: 'skip-case'; iteration: number; id: string; reason: string }
  | { type: 'phase-summary'; phase: string; summary: string }
  | { type: 'note'; iteration: number; text: string; from: 'flag' | 'notes.md' }
  | { type: 'stop'; reason: StopReason; detail: string }
  /** A parallel run's coordinator offered an item to the workers. */
  | { type: 'item'; itemId: string; attempt: number; phase: string; label: string; cases: string[]; base: string; note?: string }
  /**
   * A worker of a parallel run ended its work on an item, with what it spent (its own session
   * log holds the detail). `local`: its spending already went through this run's budget.
   */
  | ({ type: 'work'; workerId: string; itemId: string; attempt: number; phase: string; outcome: WorkOutcome; detail: string; local: boolean; seq?: number } & WorkFigures)
  /** What the merge queue did with an item's outcome; `rev`: the green commit an accepted merge made. */
  | { type: 'merge'; itemId: string; attempt: number; workerId: string; phase: string; status: MergeStatus; detail: string; rev?: string; gained?: number };

export type WorkOutcome = 'result' | 'failed' | 'released' | 'lost';
export type MergeStatus = 'accepted' | 'rejected' | 'conflict' | 'superseded' | 'dropped';

/** What one worker spent on one item. */
export interface WorkFigures {
  iterations: number;
  messages: number;
  toolCalls: number;
  requests: number;
  usage: Usage;
  costUsd: number;
  models: string[];
  busyMs: number;
}

/** Appends entries durably; the only writer of a session file. */
export interface SessionSink {
  append(event: SessionEvent): SessionEntry;
}

/**
 * Asked before each request: may a request whose worst case costs this much be sent? A
 * request allowed through may hold its worst case reserved until `record` or `release`.
 */
export interface BudgetGate {
  /** Returns null when allowed, or the reason it is not. */
  check(model: string, worstCase: { inputTokens: number; maxOutputTokens: number }): string | null;
  /** Records what a response actually used. Returns its cost in USD. */
  record(model: string, usage: Usage): number;
  /** A request allowed by `check` failed without a response: whatever it reserved is free again. */
  release?(model: string): void;
}

export interface IterationContext {
  iteration: number;
  phase: string;
  /** The user message for this iteration (task, regressions, notes). */
  message: string;
  /** Stable prefix for a fresh phase context: phase goal, guidance, summaries of earlier phases. */
  seed: string;
  /** True when this iteration starts a new conversation (new phase, or after a reset). */
  fresh: boolean;
  model: string;
  tools: ToolSet;
  session: SessionSink;
  budget: BudgetGate;
  signal?: AbortSignal;
}

export interface IterationResult {
  /** Why the agent stopped working on this iteration. */
  stop: 'done' | 'budget' | 'timeout' | 'error' | 'aborted';
  /** The agent's last text (used as the phase summary when asked for one). */
  finalText: string;
  usage: Usage;
  costUsd: number;
  messages: number;
  toolCalls: number;
  error?: string;
}

export interface AgentBackend {
  /** The backend's name in the registry (harness/agent/backends.ts). */
  readonly kind: string;
  /** Rebuilds conversation state from a session log on `--resume`; returns tool calls still owed. */
  restore?(entries: SessionEntry[]): void;
  runIteration(ctx: IterationContext): Promise<IterationResult>;
}
