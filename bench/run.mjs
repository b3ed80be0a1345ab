// Porter's benchmark: every figure is a ratio against a floor measured in the same run, so the
// numbers mean something on any machine. Run `npm run build` first; this imports from dist/.
//
//   node bench/run.mjs [--trials N] [--cases N] [--workers N] [--skip-e2e]
//
// (a) loading and parsing the MiniJinja suite  vs  a plain script that only reads the same files
// (b) the stdio pool over N generated cases with a trivial echo worker  vs  the floor: the same
//     request lines piped through the same worker, one in flight per worker, answers only counted
// (c) `porter test` end to end (a fresh process: load N generated snapshots, run, judge, report)
//     vs  `node bench/floor.mjs` (a fresh process piping the same requests); also with
//     --no-report, to show what the history and the HTML/Markdown reports cost
// Each is run --trials times ((a): four times as often), alternating with its floor. Times are
// medians; a ratio is the median of the per-trial ratios (a trial and its floor run back to back,
// so they share the machine's load — steadier than a ratio of medians on a busy machine), and
// `bestRatio` compares the fastest runs of each.
// Results also go to bench/results.json.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { closeWorkers, pipeThrough, spawnWorkers } from './floor.mjs';
import { median, ratios, round, timeProcess, writeGeneratedSuite } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const dist = path.join(root, 'dist', 'harness');
const echoWorker = path.join(here, 'echo-worker.mjs');
const minijinjaConfig = path.join(root, 'examples', 'minijinja', 'porter.config.yaml');
const porterBin = path.join(dist, 'cli', 'bin.js');

const args = parseArgs(process.argv.slice(2));
const TRIALS = args.trials ?? 7;
const CASES = args.cases ?? 10_000;
const WORKERS = args.workers ?? 2;
const GRACE_MS = 200; // the pool's default startup grace; the floor waits as long before its clock starts

if (!fs.existsSync(path.join(dist, 'target', 'stdio-pool.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const { createStdioPool } = await import(pathToFileURL(path.join(dist, 'target', 'stdio-pool.js')).href);

const results = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadavg: os.loadavg().map((l) => +l.toFixed(2)) },
  settings: { trials: TRIALS, cases: CASES, workers: WORKERS },
  a: null,
  b: null,
  c: null,
  notes: [],
};

results.b = await benchPool();
results.a = await benchLoad();
results.c = args.skipE2e ? null : await benchEndToEnd();
results.machine.loadavgAfter = os.loadavg().map((l) => +l.toFixed(2));

printTable(results);
fs.writeFileSync(path.join(here, 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwritten to ${path.relative(process.cwd(), path.join(here, 'results.json'))}`);

// --- (b) the stdio pool ----------------------------------------------------------------------

function generateRequests(n) {
  // One files object per phase, as the suite hands it out: the pool serialises it once.
  const files = { 'tests/inputs/refs/base.txt': '{% block body %}{% endblock %}\n', 'tests/inputs/refs/macro.txt': '{% macro m(x) %}{{ x }}{% endmacro %}\n' };
  const requests = [];
  for (let i = 0; i < n; i++) {
    const id = `test_bench__echo@case${String(i).padStart(5, '0')}.txt`;
    requests.push({
      id,
      phase: 'runtime',
      input: {
        path: `tests/inputs/case${i}.txt`,
        header: { seq: i, name: 'bench' },
        header_raw: `{"seq": ${i}, "name": "bench"}`,
        body: `Hello {{ name }} number ${i}!\n{% for x in seq %}{{ x }}{% endfor %}\n`,
      },
      params: {},
      files,
      snapshot: { path: `tests/snapshots/${id}.snap`, header: { source: 'tests/test_bench.rs', expression: 'output', input_file: `tests/inputs/case${i}.txt` } },
    });
  }
  return requests;
}

async function benchPool() {
  const requests = generateRequests(CASES);
  // The floor gets its lines serialised for free; the pool serialises inside its timing.
  const lines = requests.map((r) => JSON.stringify(r) + '\n');
  const command = [process.execPath, echoWorker];
  const floorMs = [];
  const poolMs = [];
  const startMs = [];
  for (let t = 0; t < TRIALS; t++) {
    // floor
    const procs = await spawnWorkers(command, WORKERS);
    await sleep(GRACE_MS);
    let t0 = performance.now();
    const n = await pipeThrough(procs, lines);
    floorMs.push(performance.now() - t0);
    await closeWorkers(procs);
    if (n !== CASES) throw new Error(`floor answered ${n} of ${CASES}`);

    // pool
    const pool = createStdioPool({ command, cwd: root, workers: WORKERS, timeoutMs: 10_000, maxOutputBytes: 1024 * 1024 });
    const s0 = performance.now();
    const started = await pool.start();
    startMs.push(performance.now() - s0);
    if (!started.ok) throw new Error(started.message);
    t0 = performance.now();
    const outcomes = await Promise.all(requests.map((r) => pool.run(r)));
    poolMs.push(performance.now() - t0);
    await pool.close();
    const wrong = outcomes.findIndex((o, i) => o.status !== 'output' || o.output !== requests[i].input.body);
    if (wrong !== -1) throw new Error(`pool case ${wrong}: ${JSON.stringify(outcomes[wrong])}`);
  }
  const pool = median(poolMs);
  const floor = median(floorMs);
  return {
    what: `stdio pool, ${CASES} cases, ${WORKERS} workers, trivial echo worker (workers already started)`,
    porterMs: round(pool),
    floorMs: round(floor),
    porterCasesPerSec: Math.round((CASES / pool) * 1000),
    floorCasesPerSec: Math.round((CASES / floor) * 1000),
    ...ratios(poolMs, floorMs),
    startMs: round(median(startMs)),
    trials: { porterMs: poolMs.map(round), floorMs: floorMs.map(round), startMs: startMs.map(round) },
  };
}

// --- (a) loading the MiniJinja suite -----------------------------------------------------------

async function benchLoad() {
  const loadSuiteJs = path.join(dist, 'suite', 'load-suite.js');
  const loadConfigJs = path.join(dist, 'config', 'load.js');
  if (!fs.existsSync(loadSuiteJs) || !fs.existsSync(loadConfigJs) || !fs.existsSync(minijinjaConfig)) {
    results.notes.push('(a) skipped: dist/harness/suite/load-suite.js, dist/harness/config/load.js or examples/minijinja/porter.config.yaml missing');
    return null;
  }
  const { loadSuite } = await import(pathToFileURL(loadSuiteJs).href);
  const { loadConfig } = await import(pathToFileURL(loadConfigJs).href);
  const loaded = await loadConfig(minijinjaConfig);
  if (!loaded.ok) {
    results.notes.push(`(a) skipped: ${loaded.message}`);
    return null;
  }
  const config = loaded.config;
  if (!fs.existsSync(config.source)) {
    results.notes.push(`(a) skipped: the MiniJinja suite is not at ${config.source}`);
    return null;
  }
  const first = await loadSuite(config);
  if (!first.ok) throw new Error(first.message);
  const suite = first.suite;
  // Every file the loader reads: all snapshots (phased or not), the inputs, the phase files.
  const snapDirs = [...new Set(suite.cases.map((c) => path.dirname(path.join(config.source, c.snapshot.path))))];
  const files = new Set();
  for (const d of snapDirs) for (const f of fs.readdirSync(d)) if (f.endsWith('.snap')) files.add(path.join(d, f));
  for (const c of suite.cases) if (c.input) files.add(path.join(config.source, c.input.path));
  for (const phaseFiles of Object.values(suite.files)) for (const rel of Object.keys(phaseFiles)) files.add(path.join(config.source, rel));
  const list = [...files];

  const porterMs = [];
  const floorMs = [];
  // Tens of milliseconds each: more trials steady the median on a shared machine.
  for (let t = 0; t < TRIALS * 4; t++) {
    let t0 = performance.now();
    let bytes = 0;
    for (const f of list) bytes += fs.readFileSync(f, 'utf8').length;
    floorMs.push(performance.now() - t0);
    t0 = performance.now();
    const r = await loadSuite(config);
    porterMs.push(performance.now() - t0);
    if (!r.ok || bytes === 0) throw new Error('load failed');
  }
  const porter = median(porterMs);
  const floor = median(floorMs);
  return {
    what: `load + parse the MiniJinja suite (${suite.cases.length} cases, ${list.length} files, warm cache, in-process)`,
    porterMs: round(porter),
    floorMs: round(floor),
    ...ratios(porterMs, floorMs),
    trials: { porterMs: porterMs.map(round), floorMs: floorMs.map(round) },
  };
}

// --- (c) porter test end to end --------------------------------------------------------------

async function benchEndToEnd() {
  if (!fs.existsSync(porterBin)) {
    results.notes.push(`(c) skipped: ${path.relative(root, porterBin)} missing`);
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-bench-'));
  try {
    const { configPath, requestsPath } = writeGeneratedSuite(dir, CASES, WORKERS);
    const porterArgv = [porterBin, 'test', '--config', configPath, '--workers', String(WORKERS)];
    const noReportArgv = [...porterArgv, '--no-report'];
    const floorArgv = [path.join(here, 'floor.mjs'), requestsPath, String(WORKERS), '--', process.execPath, echoWorker];
    // One untimed run checks the generated suite passes, so we time a real green run.
    const check = spawnSync(process.execPath, porterArgv, { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    if (check.status !== 0) {
      results.notes.push(`(c) skipped: porter test on the generated suite exited ${check.status}: ${(check.stderr || check.stdout).trim().split('\n').slice(-3).join(' | ')}`);
      return null;
    }
    const porterMs = [];
    const noReportMs = [];
    const floorMs = [];
    for (let t = 0; t < TRIALS; t++) {
      floorMs.push(await timeProcess(floorArgv, dir));
      porterMs.push(await timeProcess(porterArgv, dir));
      noReportMs.push(await timeProcess(noReportArgv, dir));
    }
    const porter = median(porterMs);
    const floor = median(floorMs);
    const noReport = median(noReportMs);
    const noReportRatios = ratios(noReportMs, floorMs);
    return {
      what: `porter test, ${CASES} generated cases, fresh process (load, run, judge, summary, reports)  vs  floor.mjs in a fresh process`,
      porterMs: round(porter),
      floorMs: round(floor),
      porterCasesPerSec: Math.round((CASES / porter) * 1000),
      floorCasesPerSec: Math.round((CASES / floor) * 1000),
      ...ratios(porterMs, floorMs),
      noReport: { porterMs: round(noReport), porterCasesPerSec: Math.round((CASES / noReport) * 1000), ratio: noReportRatios.ratio, bestRatio: noReportRatios.bestRatio },
      trials: { porterMs: porterMs.map(round), noReportMs: noReportMs.map(round), floorMs: floorMs.map(round) },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// --- output ----------------------------------------------------------------------------------

function printTable(r) {
  const rows = [['', 'Porter', 'floor', 'ratio', 'best/best']];
  if (r.a) rows.push(['(a) load MiniJinja suite', `${r.a.porterMs} ms`, `${r.a.floorMs} ms`, `${r.a.ratio}×`, `${r.a.bestRatio}×`]);
  if (r.b) rows.push([`(b) stdio pool, ${CASES} cases`, `${r.b.porterMs} ms (${r.b.porterCasesPerSec}/s)`, `${r.b.floorMs} ms (${r.b.floorCasesPerSec}/s)`, `${r.b.ratio}×`, `${r.b.bestRatio}×`]);
  if (r.c) rows.push([`(c) porter test, ${CASES} cases`, `${r.c.porterMs} ms (${r.c.porterCasesPerSec}/s)`, `${r.c.floorMs} ms (${r.c.floorCasesPerSec}/s)`, `${r.c.ratio}×`, `${r.c.bestRatio}×`]);
  if (r.c) rows.push([`    same, --no-report`, `${r.c.noReport.porterMs} ms (${r.c.noReport.porterCasesPerSec}/s)`, `${r.c.floorMs} ms`, `${r.c.noReport.ratio}×`, `${r.c.noReport.bestRatio}×`]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   '));
  console.log(`\ntimes: medians of ${TRIALS} trials ((a): ${TRIALS * 4}); ratio: median of per-trial ratios; best/best: fastest against fastest`);
  console.log(`machine: ${r.machine.cpus} × ${r.machine.cpu}, Node ${r.machine.node}, load average ${r.machine.loadavg.join(' ')} before, ${r.machine.loadavgAfter.join(' ')} after`);
  if (r.b) console.log(`(b) pool start() took ${r.b.startMs} ms (spawn + the ${GRACE_MS} ms startup grace), not in the figure above`);
  for (const note of r.notes) console.log(`note: ${note}`);
}

// --- helpers ---------------------------------------------------------------------------------

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--skip-e2e') out.skipE2e = true;
    else if (a === '--trials' || a === '--cases' || a === '--workers') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) {
        console.error(`bench: ${a} needs a positive integer`);
        process.exit(2);
      }
      out[a.slice(2)] = v;
    } else {
      console.error(`bench: unknown option ${a} (use --trials N, --cases N, --workers N, --skip-e2e)`);
      process.exit(2);
    }
  }
  return out;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
