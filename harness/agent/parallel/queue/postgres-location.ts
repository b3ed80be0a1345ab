/**
 * A `--queue postgres://…` location: the URL for the driver, the schema Porter's tables go
 * in (`?schema=NAME`, default `porter`, so several runs can share one database), and a form
 * fit for messages and logs, without the password.
 */

import { redactUrls } from '../../../util/redact-urls.js';

export interface PostgresLocation {
  /** For the driver: the URL without Porter's own `schema` parameter. */
  url: string;
  /** For messages: the URL without its password. */
  shown: string;
  schema: string;
  /** The password, only to blank it out of text a server or driver echoes back. */
  password: string;
}

export const DEFAULT_SCHEMA = 'porter';

/** Postgres identifiers Porter will put in SQL; the job engine's schema adds `_jobs`. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,39}$/;

export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}


/** `env`: where the driver also finds a password (PGPASSWORD), to keep it out of messages as well. */
export function parsePostgresLocation(text: string, env: NodeJS.ProcessEnv = process.env): { ok: true; location: PostgresLocation } | { ok: false; error: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: `--queue ${redactUrls(text)} is not a URL: give postgres://user:password@host:5432/database` };
  }
  if (!isPostgresUrl(text)) return { ok: false, error: `--queue ${redactUrls(text)} is not a PostgreSQL URL: give postgres://user:password@host:5432/database` };
  const schema = url.searchParams.get('schema') ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    return { ok: false, error: `--queue: schema "${schema}" is not a plain Postgres name: use lower-case letters, digits and _ (at most 40)` };
  }
  url.searchParams.delete('schema');
  const password = decodeURIComponent(url.password) || url.searchParams.get('password') || env.PGPASSWORD || '';
  const shown = new URL(url);
  shown.password = '';
  shown.searchParams.delete('password');
  if (schema !== DEFAULT_SCHEMA) shown.searchParams.set('schema', schema);
  return { ok: true, location: { url: url.toString(), shown: shown.toString(), schema, password } };
}

/** Text from a server or the driver, safe to show: no URL with a password, no password. */
export function scrub(text: string, loc: Pick<PostgresLocation, 'password'>): string {
  let out = redactUrls(text);
  // A one- or two-letter password would blank out ordinary words; nothing Porter writes contains one.
  for (const secret of [loc.password, encodeURIComponent(loc.password)]) {
    if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}
