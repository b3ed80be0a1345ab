import path from 'node:path';
import type { PorterConfig } from '../config/types.js';
import type { RunResult } from '../run/types.js';
import { loadSuite } from '../suite/load-suite.js';
import { planSkipListUpdate, updateSkipListFiles } from '../skiplist/update.js';

/**
 * `--update-skiplist` / `--baseline`: edits the skip-list after a run. The whole suite is
 * read again so that a glob entry is judged against every case it covers, not only the
 * ones a `--filter` run happened to select.
 */
export async function applySkipListChanges(
  config: PorterConfig,
  result: RunResult,
  options: { removePassing: boolean; baseline: boolean },
): Promise<{ ok: true; summary: string } | { ok: false; message: string }> {
  const loaded = await loadSuite(config);
  if (!loaded.ok) return loaded;
  const known = loaded.suite.cases.map((c) => ({ id: c.id, phase: c.phase }));
  const plan = planSkipListUpdate(result.cases, known, options);
  const updated = await updateSkipListFiles(config.skiplist, plan);
  if (!updated.ok) return updated;
  const parts: string[] = [];
  if (options.removePassing) parts.push(`${plan.nowPass.length} skip entr${plan.nowPass.length === 1 ? 'y' : 'ies'} for passing cases removed`);
  if (options.baseline) parts.push(`${plan.add.length} failing case${plan.add.length === 1 ? '' : 's'} added with reasons`);
  const files = updated.changed.map((f) => path.relative(config.configDir, f) || f);
  return { ok: true, summary: `skip-list: ${parts.join('; ')}${files.length ? ` (${files.join(', ')})` : ' (no file changed)'}` };
}
