/**
 * The agent backends Porter knows, by the name `agent.backend` gives. Each entry says what
 * the rest of Porter needs to know about it: how to make one, which credentials it needs
 * and how to keep them out of logs, and its list prices. Adding a built-in backend is one
 * folder and one line in BACKENDS; nothing else names a backend's folder.
 *
 * `create` imports the backend's code on demand, so a command that never runs an agent
 * never loads a provider's SDK.
 */
import type { AgentConfig } from './agent-config.js';
import { ANTHROPIC_SECRETS, anthropicCredentialProblem } from './anthropic/secrets.js';
import { DEFAULT_MODEL as ANTHROPIC_DEFAULT_MODEL, LIST_PRICES as ANTHROPIC_PRICES } from './anthropic/prices.js';
import { outputsDir } from './porter-dir.js';
import type { PriceTable } from './pricing.js';
import type { SecretSource } from './secrets.js';
import type { AgentBackend } from './types.js';

export interface BackendSpec {
  /** One line for errors and help: what this backend is. */
  summary: string;
  /** The backend runs a configured command (`agent.command` is required). */
  needsCommand: boolean;
  /** Where its credentials come from and what they look like. */
  secrets: SecretSource;
  /** One sentence saying what to set when it cannot run in this environment, else null. */
  credentialProblem(env: NodeJS.ProcessEnv): string | null;
  /** List prices by model; absent when the backend reports no token usage to price. */
  prices?: Readonly<PriceTable>;
  defaultModel?: string;
  /** `warn` takes one-line warnings the backend has for the maintainer (a deprecated model). */
  create(agent: AgentConfig, env: NodeJS.ProcessEnv, warn?: (line: string) => void): Promise<AgentBackend>;
}

export const BACKENDS: Readonly<Record<string, BackendSpec>> = {
  anthropic: {
    summary: 'the built-in agent on Claude through the Messages API',
    needsCommand: false,
    secrets: ANTHROPIC_SECRETS,
    credentialProblem: anthropicCredentialProblem,
    prices: ANTHROPIC_PRICES,
    defaultModel: ANTHROPIC_DEFAULT_MODEL,
    async create(agent, env, warn) {
      const { createAnthropicBackend } = await import('./anthropic/backend.js');
      return createAnthropicBackend({
        ...(env.ANTHROPIC_API_KEY ? { apiKey: env.ANTHROPIC_API_KEY } : {}),
        ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
        ...(agent.maxOutputTokens ? { maxTokens: agent.maxOutputTokens } : {}),
        ...(agent.contextWindow ? { contextWindow: agent.contextWindow } : {}),
        ...(agent.compactAt ? { compactAt: agent.compactAt } : {}),
        ...(warn ? { warn } : {}),
      });
    },
  },
  command: {
    summary: 'any coding agent CLI, run once per iteration',
    needsCommand: true,
    secrets: { envKeys: [], patterns: [] },
    credentialProblem: () => null,
    async create(agent) {
      const { createCommandBackend } = await import('./command/backend.js');
      return createCommandBackend({ command: agent.command!, cwd: agent.workspace, timeoutMs: agent.commandTimeoutMs, outputDir: outputsDir(agent.workspace) });
    },
  },
};

export const DEFAULT_BACKEND = 'anthropic';

export const BACKEND_NAMES: readonly string[] = Object.keys(BACKENDS);

export function backendSpec(name: string): BackendSpec {
  const spec = BACKENDS[name];
  if (!spec) throw new Error(`unknown backend ${name}: config validation should have refused it`);
  return spec;
}

/** Every backend's list prices in one table: the base for `agent.prices` of a backend that has none of its own. */
export function allListPrices(): PriceTable {
  return Object.assign({}, ...Object.values(BACKENDS).map((b) => b.prices ?? {})) as PriceTable;
}

/** Every backend's credential sources: the session log scrubs them all, whichever runs. */
export function allSecretSources(): SecretSource[] {
  return Object.values(BACKENDS).map((b) => b.secrets);
}
