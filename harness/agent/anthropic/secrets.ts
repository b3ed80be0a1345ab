/** Keeps API keys out of the session log and error messages, whatever a server or proxy echoes back. */

// Anthropic keys by shape, whatever variable they came from.
const KEY_PATTERN = /sk-ant-[A-Za-z0-9_-]{4,}/g;

export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    // Short values would blank out ordinary words; real keys and tokens are long.
    if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out.replace(KEY_PATTERN, '[redacted]');
}

/** The credentials the SDK may use: the explicit key, or the ones it reads from the environment. */
export function knownSecrets(apiKey: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  return [apiKey, env.ANTHROPIC_API_KEY, env.ANTHROPIC_AUTH_TOKEN].filter((s): s is string => typeof s === 'string' && s !== '');
}

/**
 * One sentence for the CLI (exit 2) when the built-in agent has no credential; null when it has one.
 * The SDK reads ANTHROPIC_API_KEY, then ANTHROPIC_AUTH_TOKEN.
 */
export function anthropicCredentialProblem(apiKey: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  if (apiKey || env.ANTHROPIC_API_KEY || env.ANTHROPIC_AUTH_TOKEN) return null;
  return 'no API key: set ANTHROPIC_API_KEY for the built-in agent, or configure agent.backend: command to use another coding agent';
}
