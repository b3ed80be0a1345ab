/** Where the Anthropic SDK finds credentials, and what its keys look like, for the scrubber and the credential check. */
import { secretValues, type SecretSource } from '../secrets.js';

export const ANTHROPIC_SECRETS: SecretSource = {
  envKeys: ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'],
  patterns: [/sk-ant-[A-Za-z0-9_-]{4,}/g],
};

/** The credentials the SDK may use: the explicit key, or the ones it reads from the environment. */
export function anthropicSecretValues(apiKey: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  return [...(apiKey ? [apiKey] : []), ...secretValues([ANTHROPIC_SECRETS], env)];
}

/**
 * One sentence for the CLI (exit 2) when the built-in agent has no credential; null when it has one.
 * The SDK reads ANTHROPIC_API_KEY, then ANTHROPIC_AUTH_TOKEN.
 */
export function anthropicCredentialProblem(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.ANTHROPIC_API_KEY || env.ANTHROPIC_AUTH_TOKEN) return null;
  return 'no API key: set ANTHROPIC_API_KEY for the built-in agent, or configure agent.backend: command to use another coding agent';
}
