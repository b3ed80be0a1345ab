// How the failures of an all-failing MiniJinja runtime phase cluster: by the old key (mostly the
// first differing line of the diff, kept here as the baseline) and by cause (harness/reports/
// cluster.ts, what reports and the agent's task message use). Run `npm run build` first.
//
//   node bench/clusters.mjs [--phase runtime] [--error] [--list]
//
// The target is bench/silent-worker.mjs: it prints nothing (or, with --error, one fixed error)
// for every case, as a port that does not exist yet would. Needs the MiniJinja suite at the
// source of examples/minijinja/porter.config.yaml.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const dist = path.join(root, 'dist', 'harness');
const argv = process.argv.slice(2);
const phase = argv.includes('--phase') ? argv[argv.indexOf('--phase') + 1] : 'runtime';

if (!fs.existsSync(path.join(dist, 'reports', 'cluster.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const load = (p) => import(pathToFileURL(path.join(dist, p)).href);
const { loadConfig } = await load('config/load.js');
const { runSuite } = await load('run/run-suite.js');
const { causeFields, clusterFailures, firstDifferingLine } = await load('reports/cluster.js');
const { planWorkItems } = await load('agent/parallel/work-items.js');

const loaded = await loadConfig(path.join(root, 'examples', 'minijinja', 'porter.config.yaml'));
if (!loaded.ok) {
  console.error(`bench: ${loaded.message}`);
  process.exit(2);
}
const worker = ['node', path.join(here, 'silent-worker.mjs'), ...(argv.includes('--error') ? ['--error'] : [])];
const config = { ...loaded.config, target: { ...loaded.config.target, command: worker, cwd: here } };
const outcome = await runSuite(config, { phases: [phase] });
if (!outcome.ok) {
  console.error(`bench: ${outcome.message}`);
  process.exit(2);
}
const failing = outcome.result.cases.filter((c) => c.status !== 'pass' && c.status !== 'skip' && c.status !== 'unexpected-pass');

/** The clustering before clustering by cause: one key per case, mostly its first differing line. */
function oldKey(c) {
  if (c.status === 'timeout' || c.status === 'crash') return c.status;
  if (c.status === 'error') return `error:${(c.reason ?? '').replace(/\S*[/\\]\S*/g, '<path>').split(c.id).join('<case>').replace(/\d+/g, '#')}`;
  if (c.facet && c.facet !== 'output') return `facet:${c.facet}:${(c.expectedFacets?.kind ?? '').toLowerCase().replace(/[\s_]/g, '')}`;
  const first = c.diff ? firstDifferingLine(c.diff) : null;
  return first !== null ? `line:${first}` : `reason:${c.reason ?? ''}`;
}
const before = new Map();
for (const c of failing) before.set(oldKey(c), [...(before.get(oldKey(c)) ?? []), c]);
const beforeSizes = [...before.values()].map((g) => g.length).sort((a, b) => b - a);
const after = clusterFailures(failing.map((c) => ({ ...c, ...causeFields(c) })));

const shortId = (id) => id.slice(id.indexOf('@') + 1).replace(/\.txt$/, '');
const describe = (name, sizes, unit = 'clusters') =>
  `${name}: ${sizes.length} ${unit} for ${failing.length} failing cases; sizes ${sizes.join(' ')}; singletons ${sizes.filter((n) => n === 1).length}; largest ${sizes[0] ?? 0}`;
console.log(`phase ${phase}, target ${argv.includes('--error') ? 'prints one fixed error' : 'prints nothing'}`);
console.log(describe('before (first differing line)', beforeSizes));
console.log(describe('after (by cause)', after.map((c) => c.cases.length)));
const plan = planWorkItems({ phases: [phase], verdict: outcome.result, base: 'HEAD' });
console.log(describe('work items (clusters under 3 cases packed)', plan.items.map((i) => i.cases.length), 'items'));
const shown = argv.includes('--list') ? after : after.slice(0, 8);
for (const c of shown) console.log(`  ${String(c.cases.length).padStart(3)}  ${c.label}${c.sample !== undefined ? `: ${c.sample}` : ''}  [${c.cases.map((x) => shortId(x.id)).join(' ')}]`);
