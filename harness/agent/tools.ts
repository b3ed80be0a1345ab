import path from 'node:path';
import { parseArgs, type ArgSpec } from './tool-args.js';
import { runBash } from './tool-bash.js';
import { editTool, readTool, writeTool } from './tool-files.js';
import type { ToolDefinition, ToolResult, ToolSet } from './types.js';
import type { WorkspaceGuard } from './workspace-guard.js';

/**
 * The built-in agent's tools. Every failure — a bad argument, a refused path, a command
 * that fails or hangs — is a result the model sees, never a thrown error.
 */

export interface SkipCaseHooks {
  /** Why the case may not be skipped (protected, unknown id), or null when it may. */
  refuse(id: string): string | null;
  /** Records the skip (skip-list file, session log) and says what happened. */
  skipCase(id: string, reason: string): Promise<ToolResult>;
}

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
}

/** Variables the agent's shell never sees: the harness's own credentials. */
const HIDDEN_ENV = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'];

export function agentEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const k of HIDDEN_ENV) delete env[k];
  return env;
}

const SPECS: Record<string, ArgSpec> = {
  read: {
    path: { kind: 'string', required: true },
    offset: { kind: 'integer', required: false, min: 1 },
    limit: { kind: 'integer', required: false, min: 1 },
  },
  write: { path: { kind: 'string', required: true }, content: { kind: 'string', required: true, allowEmpty: true } },
  edit: {
    path: { kind: 'string', required: true },
    old_text: { kind: 'string', required: true },
    new_text: { kind: 'string', required: true, allowEmpty: true },
  },
  bash: { command: { kind: 'string', required: true }, timeout_s: { kind: 'number', required: false, min: 1 } },
  run_tests: { phase: { kind: 'string', required: false }, filter: { kind: 'string', required: false } },
  skip_case: { id: { kind: 'string', required: true }, reason: { kind: 'string', required: true } },
};

function schema(name: string, descriptions: Record<string, string>): ToolDefinition['input_schema'] {
  const spec = SPECS[name]!;
  const properties: Record<string, unknown> = {};
  for (const [field, f] of Object.entries(spec)) {
    properties[field] = { type: f.kind, description: descriptions[field] ?? field, ...(f.min !== undefined ? { minimum: f.min } : {}) };
  }
  const required = Object.entries(spec).filter(([, f]) => f.required).map(([k]) => k);
  return { type: 'object', properties, required };
}

export function toolDefinitions(opts: { skip: boolean; bashTimeoutS: number }): ToolDefinition[] {
  const defs: ToolDefinition[] = [
    {
      name: 'read',
      description: 'Read a text file (path relative to the workspace). Long files come in pages of lines; a directory gives its entries.',
      input_schema: schema('read', { path: 'File path, relative to the workspace', offset: 'First line to show, 1-based', limit: 'Number of lines to show' }),
    },
    {
      name: 'write',
      description: 'Create or overwrite a file with the given content; parent folders are created. Tests and snapshots are read-only.',
      input_schema: schema('write', { path: 'File path, relative to the workspace', content: 'The whole new content' }),
    },
    {
      name: 'edit',
      description: 'Replace old_text with new_text in a file. old_text must match exactly once (whitespace included).',
      input_schema: schema('edit', { path: 'File path, relative to the workspace', old_text: 'Exact text to replace; unique in the file', new_text: 'Replacement text' }),
    },
    {
      name: 'bash',
      description: `Run a shell command with bash in the workspace. Killed with its children after timeout_s (default ${opts.bashTimeoutS}). Long output shows head and tail; the full output is saved to a file whose path is given.`,
      input_schema: schema('bash', { command: 'The command line', timeout_s: 'Timeout in seconds' }),
    },
    {
      name: 'run_tests',
      description: 'Run the snapshot suite against the port and get the verdict: counts and the first failures. This is the judge.',
      input_schema: schema('run_tests', { phase: 'Only this phase', filter: 'Only case ids matching this glob' }),
    },
  ];
  if (opts.skip) {
    defs.push({
      name: 'skip_case',
      description: 'Park a case that cannot pass for a good reason (e.g. a platform difference). Recorded in the skip-list and the report; protected cases cannot be skipped.',
      input_schema: schema('skip_case', { id: 'The case id', reason: 'Why it cannot pass; shown to the maintainer' }),
    });
  }
  return defs;
}

const fail = (content: string): ToolResult => ({ content, isError: true });

function formatBash(run: Awaited<ReturnType<typeof runBash>>, timeoutS: number, shown: (p: string) => string): ToolResult {
  const status = run.timedOut
    ? `timed out after ${timeoutS}s; the command and its children were killed`
    : run.aborted
      ? 'aborted; the command and its children were killed'
      : run.exitCode === null
        ? `killed by ${run.signal ?? 'a signal'}`
        : `exit code ${run.exitCode}`;
  const saved = run.fullOutputFile ? `\n[output cut: ${run.totalBytes} bytes in all, full output in ${shown(run.fullOutputFile)}]` : '';
  const body = run.output === '' ? '(no output)' : run.output;
  return { content: `${body}${saved}\n[${status}]`, isError: run.timedOut || run.aborted || run.exitCode !== 0 };
}

export function createToolSet(opts: ToolSetOptions): ToolSet {
  const bashTimeoutS = opts.bashTimeoutS ?? 300;
  const bashMaxTimeoutS = opts.bashMaxTimeoutS ?? 3600;
  const definitions = toolDefinitions({ skip: opts.skip !== undefined, bashTimeoutS });
  const names = definitions.map((d) => d.name);
  const env = opts.env ?? agentEnv();
  const { guard } = opts;

  async function dispatch(name: string, input: unknown, signal?: AbortSignal): Promise<ToolResult> {
    if (name === 'skip_case' && !opts.skip) {
      return fail('skip_case is not enabled for this run: the config does not allow skipping (agent.allow_skip); make the case pass instead');
    }
    const spec = SPECS[name];
    if (!spec || !names.includes(name)) return fail(`unknown tool "${name}"; the tools are: ${names.join(', ')}`);
    const parsed = parseArgs<Record<string, never>>(name, input, spec);
    if (!parsed.ok) return fail(parsed.message);
    const a = parsed.value as Record<string, unknown>;
    switch (name) {
      case 'read':
        return readTool(guard, a as { path: string; offset?: number; limit?: number });
      case 'write':
        return writeTool(guard, a as { path: string; content: string });
      case 'edit':
        return editTool(guard, a as { path: string; old_text: string; new_text: string });
      case 'bash': {
        const timeoutS = Math.min((a.timeout_s as number | undefined) ?? bashTimeoutS, bashMaxTimeoutS);
        const run = await runBash(a.command as string, {
          cwd: guard.workspace,
          outputsDir: path.join(guard.workspace, '.porter', 'outputs'),
          timeoutMs: timeoutS * 1000,
          env,
          ...(signal ? { signal } : {}),
        });
        return formatBash(run, timeoutS, guard.display);
      }
      case 'run_tests':
        return { content: await opts.runTests(a.phase as string | undefined, a.filter as string | undefined), isError: false };
      case 'skip_case': {
        const id = a.id as string;
        const refusal = opts.skip!.refuse(id);
        if (refusal) return fail(refusal);
        return opts.skip!.skipCase(id, (a.reason as string).trim());
      }
      default:
        return fail(`unknown tool "${name}"`);
    }
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
