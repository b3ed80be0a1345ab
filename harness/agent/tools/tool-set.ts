import type { ToolDefinition, ToolResult, ToolSet } from '../types.js';
import { parseArguments } from './arguments.js';
import { BUILTIN_TOOLS } from './registry.js';
import type { ToolSetOptions, ToolSettings } from './tool.js';

/**
 * The built-in tools of one run, as the agent sees them: their definitions, and one entry
 * point that checks a call's arguments against the tool's schema and runs it. Every
 * failure — an unknown tool, a bad argument, a refused path, a command that fails or
 * hangs — is a result the model sees, never a thrown error.
 */

/** Variables the agent's shell never sees: the harness's own credentials. */
const HIDDEN_ENV = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'];

export function agentEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const k of HIDDEN_ENV) delete env[k];
  return env;
}

const fail = (content: string): ToolResult => ({ content, isError: true });

export function createToolSet(opts: ToolSetOptions): ToolSet {
  const settings: ToolSettings = {
    ...opts,
    bashTimeoutS: opts.bashTimeoutS ?? 300,
    bashMaxTimeoutS: opts.bashMaxTimeoutS ?? 3600,
    env: opts.env ?? agentEnv(),
  };
  const offered = BUILTIN_TOOLS.filter((t) => t.available?.(settings) ?? true);
  const definitions: ToolDefinition[] = offered.map((t) => ({ name: t.name, description: t.description(settings), input_schema: t.parameters }));
  const names = offered.map((t) => t.name).join(', ');

  async function dispatch(name: string, input: unknown, signal?: AbortSignal): Promise<ToolResult> {
    const tool = BUILTIN_TOOLS.find((t) => t.name === name);
    if (!tool) return fail(`unknown tool "${name}"; the tools are: ${names}`);
    if (!offered.includes(tool)) return fail(tool.unavailable ?? `${name} is not offered in this run; the tools are: ${names}`);
    const args = parseArguments(name, tool.parameters, input);
    if (!args.ok) return fail(args.message);
    const outcome = await tool.execute(args.value, signal ? { ...settings, signal } : settings);
    const result: ToolResult = { content: outcome.content, isError: outcome.isError };
    if (outcome.refusal) opts.onRefusal?.(name, outcome.refusal, result);
    return result;
  }

  return {
    definitions,
    async execute(name, input, signal) {
      try {
        return await dispatch(name, input, signal);
      } catch (e) {
        return fail(`${name} failed: ${(e as Error).message ?? String(e)}`);
      }
    },
  };
}
