// `porter sync`'s comparison, timed against a floor measured in the same run. Run `npm run build`
// first; this imports from dist/.
//
//   node bench/sync.mjs [--trials N] [--cases N] [--naive]
//
// A generated source repository shaped like MiniJinja's suite (by default 240 cases: a snapshot
// and an input file each, ~480 files) gets a second commit that changes 45 expected outputs and
// adds 10 cases, as MiniJinja did between two releases.
//   porter: computeDrift (resolve both revisions, read both suites from git, compare, diff, commits)
//   floor:  only the git work it cannot avoid, as raw processes: ls-tree of both revisions, one
//           cat-file --batch of every suite file of both, the git log of the range; no parsing
//   naive:  (--naive, one trial) what reading the old files with one `git show rev:path` each costs
// Times are medians; the ratio is the median of per-trial ratios (a trial and its floor run back
// to back). Results go to bench/sync-results.json.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'dist', 'harness');
const args = process.argv.slice(2);
const flag = (name, d) => {
  const i = args.indexOf(name);
  return i === -1 ? d : Number(args[i + 1]);
};
const TRIALS = flag('--trials', 7);
const CASES = flag('--cases', 240);
const CHANGED = Math.min(45, CASES);
const ADDED = 10;

if (!fs.existsSync(path.join(dist, 'sync', 'drift.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const { computeDrift } = await import(pathToFileURL(path.join(dist, 'sync', 'drift.js')).href);
const { loadConfig } = await import(pathToFileURL(path.join(dist, 'config', 'load.js')).href);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-bench-sync-'));
const source = path.join(dir, 'source');
const git = (...a) => execFileSync('git', a, { cwd: source, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' } }).trim();
const name = (i) => `case${String(i).padStart(5, '0')}.txt`;
const writeCase = (i, output) => {
  fs.writeFileSync(path.join(source, 'tests/inputs', name(i)), `{"seq": [1, 2, 3], "n": ${i}}\n---\nHello {{ n }} {% for x in seq %}{{ x }}{% endfor %}\n`);
  fs.writeFileSync(
    path.join(source, 'tests/snapshots', `test_vm__vm@${name(i)}.snap`),
    `---\nsource: tests/test_templates.rs\nexpression: "&rendered"\ninput_file: tests/inputs/${name(i)}\n---\n${output}\n`,
  );
};

try {
  fs.mkdirSync(path.join(source, 'tests/snapshots'), { recursive: true });
  fs.mkdirSync(path.join(source, 'tests/inputs/refs'), { recursive: true });
  git('init', '-q');
  for (let i = 0; i < CASES; i++) writeCase(i, `Hello ${i} 123`);
  fs.writeFileSync(path.join(source, 'tests/inputs/refs/base.txt'), '{% block body %}{% endblock %}\n');
  git('add', '-A');
  git('commit', '-qm', 'release 1');
  const from = git('rev-parse', 'HEAD');
  for (let i = 0; i < CHANGED; i++) writeCase(i * Math.floor(CASES / CHANGED), `Hello ${i} 1, 2, 3`);
  for (let i = CASES; i < CASES + ADDED; i++) writeCase(i, `Hello ${i} 123`);
  git('add', '-A');
  git('commit', '-qm', 'release 2');
  fs.writeFileSync(
    path.join(dir, 'porter.config.yaml'),
    `source: source\nsnapshots: tests/snapshots/*.snap\nphases:\n  - name: vm\n    cases: "test_vm__*"\n    inputs: tests/inputs\n    files: ["tests/inputs/refs/*"]\ntarget:\n  command: node x.mjs\n`,
  );
  const loaded = await loadConfig(path.join(dir, 'porter.config.yaml'));
  if (!loaded.ok) throw new Error(loaded.message);

  const porterMs = [];
  const floorMs = [];
  let check = null;
  for (let t = 0; t < TRIALS + 1; t++) {
    let t0 = performance.now();
    const found = await computeDrift(loaded.config, { from });
    const p = performance.now() - t0;
    if (!found.ok) throw new Error(found.message);
    check = found.drift;
    t0 = performance.now();
    await floor(from);
    const f = performance.now() - t0;
    // The first trial warms the module and file caches; it is not counted.
    if (t > 0) {
      porterMs.push(p);
      floorMs.push(f);
    }
  }
  if (check.changed.length !== CHANGED || check.added.length !== ADDED) throw new Error(`expected ${CHANGED} changed and ${ADDED} added, got ${check.changed.length} and ${check.added.length}`);

  let naiveMs = null;
  if (args.includes('--naive')) {
    const paths = git('ls-tree', '-r', '--name-only', from).split('\n');
    const t0 = performance.now();
    for (const p of paths) spawnSync('git', ['show', `${from}:${p}`], { cwd: source });
    naiveMs = performance.now() - t0;
  }

  const files = Number(git('ls-tree', '-r', '--name-only', 'HEAD').split('\n').length);
  const ratios = porterMs.map((p, i) => p / floorMs[i]);
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadavg: os.loadavg().map((l) => +l.toFixed(2)) },
    what: `porter sync's comparison: ${CASES} cases (${files} files at the new revision), ${CHANGED} changed and ${ADDED} added between two commits`,
    trials: TRIALS,
    porterMs: round(median(porterMs)),
    floorMs: round(median(floorMs)),
    ratio: +median(ratios).toFixed(2),
    naiveMs: naiveMs === null ? null : round(naiveMs),
    all: { porterMs: porterMs.map(round), floorMs: floorMs.map(round) },
  };
  console.log(`${result.what}\n  porter sync: ${result.porterMs} ms\n  git floor:   ${result.floorMs} ms\n  ratio:       ${result.ratio}×`);
  if (naiveMs !== null) console.log(`  one \`git show\` per file at the old revision alone: ${result.naiveMs} ms`);
  fs.writeFileSync(path.join(here, 'sync-results.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The git work alone: both trees, every suite blob of both in one batch, the log of the range. */
async function floor(from) {
  const trees = await Promise.all([from, 'HEAD'].map((rev) => run(['ls-tree', '-r', '-z', '--full-tree', `${rev}:`])));
  const oids = new Set();
  for (const t of trees) for (const line of t.split('\0')) if (line) oids.add(line.split(' ')[2].split('\t')[0]);
  await run(['cat-file', '--batch'], `${[...oids].join('\n')}\n`);
  await run(['log', '--no-renames', '--name-only', '--format=%x1e%h%x1f%s', `${from}..HEAD`, '--', 'tests/snapshots', 'tests/inputs']);
}

function run(gitArgs, input = '') {
  return new Promise((resolve, reject) => {
    const child = spawn('git', gitArgs, { cwd: source });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.on('error', reject);
    child.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function round(ms) {
  return Math.round(ms * 10) / 10;
}
