import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { PorterConfig } from '../config/types.js';
import type { CliIO } from './io.js';

export const DEFAULT_CONFIG = 'porter.config.yaml';

/** Loads `--config` (or ./porter.config.yaml), printing warnings; null after printing the error. */
export async function loadConfigFor(io: CliIO, flag: string | undefined): Promise<PorterConfig | null> {
  const file = path.resolve(io.cwd, flag ?? DEFAULT_CONFIG);
  const loaded = await loadConfig(file);
  if (!loaded.ok) {
    io.stderr(`porter: ${loaded.message}\n`);
    return null;
  }
  for (const w of loaded.warnings) io.stderr(`warning: ${w}\n`);
  return loaded.config;
}
