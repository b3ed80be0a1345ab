import crypto from 'node:crypto';
import fs from 'node:fs';
import type { PorterConfig } from '../../config/types.js';
import { porterVersion } from '../../util/version.js';
import type { RunIdentity } from './queue/work-queue.js';

/**
 * What every machine of a parallel run must share: the Porter version, and the config file
 * byte for byte (its hash), since a worker judges its work with it before the coordinator
 * judges the merge.
 */
export function runIdentity(config: PorterConfig): RunIdentity {
  const bytes = fs.readFileSync(config.configPath);
  return { porterVersion: porterVersion(), configHash: crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16) };
}
