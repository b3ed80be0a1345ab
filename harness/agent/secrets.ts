/**
 * Keeps credentials out of the session log, error messages and reports, whatever a server
 * or proxy echoes back. Each backend declares the variables it reads credentials from and
 * the shapes of its keys; this module only applies them.
 */

export interface SecretSource {
  /** Environment variables whose values are credentials. */
  envKeys: readonly string[];
  /** Key formats to blank wherever they appear, whatever variable they came from. */
  patterns: readonly RegExp[];
}

export function scrubSecrets(text: string, values: readonly (string | undefined)[], patterns: readonly RegExp[] = []): string {
  let out = text;
  for (const secret of values) {
    // Short values would blank out ordinary words; real keys and tokens are long.
    if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  for (const pattern of patterns) out = out.replace(globalCopy(pattern), '[redacted]');
  return out;
}

/** The credential values present in the environment for these sources. */
export function secretValues(sources: readonly SecretSource[], env: NodeJS.ProcessEnv = process.env): string[] {
  const keys = new Set(sources.flatMap((s) => s.envKeys));
  return [...keys].map((k) => env[k]).filter((v): v is string => typeof v === 'string' && v !== '');
}

function globalCopy(re: RegExp): RegExp {
  return re.global ? re : new RegExp(re.source, `${re.flags}g`);
}
