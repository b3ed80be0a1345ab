import type { Static, TObject } from '@sinclair/typebox';
import type { ToolResult } from '../types.js';
import type { Refusal, WorkspaceGuard } from '../workspace-guard.js';

/**
 * What one built-in tool is: its name, its arguments as a TypeBox schema (the JSON Schema the
 * model sees and the validator checks are the same object), its description and what it
 * does. Each tool is one file in this folder; `registry.ts` lists them.
 */

export interface SkipCaseHooks {
  /** Why the case may not be skipped (protected, unknown id), or null when it may. */
  refuse(id: string): string | null;
  /** Records the skip (skip-list file, session log) and says what happened. */
  skipCase(id: string, reason: string): Promise<ToolResult>;
}

/** What a run gives its tools. */
export interface ToolSetOptions {
  guard: WorkspaceGuard;
  /** Returns the harness verdict, compact, as the model should see it. */
  runTests(phase?: string, filter?: string): Promise<string>;
  /** Present only when the config allows skipping (`agent.allow_skip`). */
  skip?: SkipCaseHooks;
  /** Default and largest timeout of a bash call, in seconds. */
  bashTimeoutS?: number;
  bashMaxTimeoutS?: number;
  /** Environment of bash calls; defaults to this process's, without API keys. */
  env?: NodeJS.ProcessEnv;
  /** Told of every path the guard refused, with the tool and the result the model got. */
  onRefusal?(tool: string, refusal: Refusal, result: ToolResult): void;
}

/** The run's settings with defaults filled in. */
export interface ToolSettings extends Omit<ToolSetOptions, 'bashTimeoutS' | 'bashMaxTimeoutS' | 'env'> {
  bashTimeoutS: number;
  bashMaxTimeoutS: number;
  env: NodeJS.ProcessEnv;
}

/** What a tool's `execute` gets besides its arguments. */
export interface ToolContext extends ToolSettings {
  /** Aborts a running tool (a bash command is killed with its children). */
  signal?: AbortSignal;
}

/** A tool's result, with the guard's refusal when a path was refused. */
export interface ToolOutcome extends ToolResult {
  refusal?: Refusal;
}

export interface AgentTool<S extends TObject = TObject> {
  name: string;
  parameters: S;
  /** Said to the model; may depend on the run's settings (a default timeout). */
  description(settings: ToolSettings): string;
  /** Whether this run offers the tool (default: always); when not, `unavailable` tells a model that calls it anyway. */
  available?(settings: ToolSettings): boolean;
  unavailable?: string;
  /** Gets arguments the schema has checked. Never throws for bad input: a failure is a result. */
  execute(args: Static<S>, ctx: ToolContext): ToolOutcome | Promise<ToolOutcome>;
}

export const ok = (content: string): ToolOutcome => ({ content, isError: false });
export const fail = (content: string): ToolOutcome => ({ content, isError: true });

/** A path the guard refused: the message for the model, the refusal as a value for the harness. */
export function refused({ code, path, message }: Refusal): ToolOutcome {
  return { content: message, isError: true, refusal: { code, path, message } };
}

/** Why a file operation failed, in one line the model can act on. */
export function fileError(e: unknown, shown: string): ToolOutcome {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return fail(`${shown}: no such file`);
  if (code === 'EISDIR') return fail(`${shown} is a directory`);
  if (code === 'EACCES' || code === 'EPERM') return fail(`${shown}: permission denied`);
  return fail(`${shown}: ${(e as Error).message}`);
}
