// Clustering on a real suite: MiniJinja's runtime phase against a target that prints nothing,
// the state of a port that does not exist yet (bench/clusters.mjs prints the same figures).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../harness/config/load.js';
import { causeFields, clusterFailures } from '../../harness/reports/cluster.js';
import { runSuite } from '../../harness/run/run-suite.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = path.resolve(repoRoot, '../shared/suites/minijinja');
const exampleConfig = path.join(repoRoot, 'examples/minijinja/porter.config.yaml');

describe.skipIf(!fs.existsSync(path.join(shared, 'minijinja/tests/snapshots')))('clusters of an all-failing MiniJinja runtime phase', () => {
  it('are a few dozen cohesive groups, not one per case', async () => {
    const raw = parse(fs.readFileSync(exampleConfig, 'utf8'), { schema: 'core' }) as Record<string, any>;
    raw.source = shared;
    raw.target = { command: ['node', path.join(repoRoot, 'bench/silent-worker.mjs')], cwd: path.join(repoRoot, 'bench'), workers: 2 };
    const loaded = validateConfig(raw, exampleConfig);
    if (!loaded.ok) throw new Error(loaded.message);
    const outcome = await runSuite(loaded.config, { phases: ['runtime'] });
    if (!outcome.ok) throw new Error(outcome.message);
    const failing = outcome.result.cases.filter((c) => c.status === 'fail');
    expect(failing.length).toBeGreaterThan(150);

    const clusters = clusterFailures(failing.map((c) => ({ ...c, ...causeFields(c) })));
    const short = (id: string) => id.slice(id.indexOf('@') + 1).replace(/\.txt$/, '');
    expect(clusters.length).toBeGreaterThanOrEqual(10);
    expect(clusters.length).toBeLessThanOrEqual(60);
    expect(clusters.filter((c) => c.cases.length === 1).length).toBeLessThanOrEqual(10);
    expect(Math.max(...clusters.map((c) => c.cases.length))).toBeLessThanOrEqual(12);
    // Cases named after one feature end up together, apart from the others.
    const loops = clusters.filter((c) => c.topic?.[0] === 'loop' && c.label.endsWith('target printed nothing'));
    expect(loops.flatMap((c) => c.cases.map((x) => short(x.id)))).toEqual(expect.arrayContaining(['loop_controls', 'loop_else', 'loop_recursive']));
    expect(loops.flatMap((c) => c.cases).every((x) => short(x.id).startsWith('loop'))).toBe(true);
    const macros = clusters.find((c) => c.topic?.[0] === 'macro' && c.cases.some((x) => short(x.id) === 'macro_basic'))!;
    expect(macros.cases.every((x) => short(x.id).includes('macro'))).toBe(true);
  });
});
