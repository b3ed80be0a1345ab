// Does a long history slow Porter down? Every figure compares a history of 1,000 earlier runs
// with one of a single earlier run, measured in the same run of this script, in paired trials
// (the two back to back, their order alternating), so the ratio means something on a busy
// machine. Run `npm run build` first; this imports from dist/.
//
//   node bench/history.mjs [--trials N] [--cases N] [--earlier N] [--workers N] [--skip-e2e]
//
// (d) the report step in-process: writeReports (read the history, compare with the previous
//     run, write the summary and the detail file, apply keep_runs, write latest.md and
//     index.html) for a run of N cases, some failing with diffs, some skipped
// (e) `porter test` end to end in a fresh process on a generated N-case suite (bench/lib.mjs)
// (f) what one run adds: bytes appended to history.jsonl, and the size of its detail file
// The earlier runs are written directly with the library (one recorded run, its summary
// repeated with its own time, revision and 20 changed ids, every tenth an agent run with
// per-phase stats; the detail files of the newest keep_runs), not by running porter 1,000
// times. Each trial starts from a fresh copy of them, flushed to disk before the clock starts. Results go to bench/history-results.json.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { median, ratios, round, timeProcessWithCpu, writeGeneratedSuite } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const dist = path.join(root, 'dist', 'harness');
const porterBin = path.join(dist, 'cli', 'bin.js');

const args = parseArgs(process.argv.slice(2));
const TRIALS = args.trials ?? 7;
const CASES = args.cases ?? 10_000;
const EARLIER = args.earlier ?? 1_000;
const WORKERS = args.workers ?? 2;
const KEEP_RUNS = 200;

if (!fs.existsSync(porterBin)) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const lib = async (rel) => import(pathToFileURL(path.join(dist, rel)).href);
const { recordFromRun } = await lib('reports/history.js');
const { detailName, writeDetail } = await lib('reports/run-details.js');
const { writeReports } = await lib('reports/write.js');

const AGENT = (() => {
  const totals = (k) => ({ wallMs: 3_600_000 * k, messages: 900 * k, humanPrompts: 4 * k, toolCalls: 400 * k, tokens: { input: 100_000 * k, output: 50_000 * k, cacheRead: 500_000 * k, cacheWrite: 40_000 * k }, costUsd: 18.5 * k, models: ['claude-sonnet-4-5'], iterations: 6 * k, commits: 4 * k });
  return { ...totals(3), backend: 'anthropic', stopReason: 'stall', stopDetail: 'no progress for 5 iterations', phases: ['lexer', 'parser', 'runtime'].map((phase, i) => ({ phase, ...totals(i + 1) })) };
})();

const results = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadavg: os.loadavg().map((l) => +l.toFixed(2)) },
  settings: { trials: TRIALS, cases: CASES, earlier: EARLIER, keepRuns: KEEP_RUNS, workers: WORKERS },
  seed: null,
  d: null,
  e: null,
  f: null,
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-bench-history-'));
try {
  results.d = await benchReportStep();
  if (!args.skipE2e) results.e = await benchEndToEnd();
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
results.machine.loadavgAfter = os.loadavg().map((l) => +l.toFixed(2));
printTable(results);
fs.writeFileSync(path.join(here, 'history-results.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwritten to ${path.relative(process.cwd(), path.join(here, 'history-results.json'))}`);

// --- earlier runs ------------------------------------------------------------------------------

/** Writes `n` earlier runs of `run` into `dir` directly with the library; returns the ms it took. */
function seedHistory(dir, n, run) {
  const t0 = performance.now();
  const base = recordFromRun(run, null, { kind: 'test', rev: null });
  const ids = run.cases.map((c) => c.id);
  const lines = [];
  const details = [];
  for (let i = 0; i < n; i++) {
    const time = new Date(Date.parse('2023-01-01T02:00:00.000Z') + i * 86_400_000).toISOString();
    const agent = i % 10 === 9;
    const changedIds = Array.from({ length: 20 }, (_, k) => ids[(i * 20 + k) % ids.length]);
    const record = { ...base.record, kind: agent ? 'agent' : 'test', time, rev: crypto.createHash('sha1').update(String(i)).digest('hex'), changedCount: changedIds.length, changedIds, ...(agent ? { agent: AGENT } : {}) };
    if (i >= n - KEEP_RUNS) record.detail = detailName(time, i.toString(16).padStart(6, '0'));
    details.push(record.detail);
    lines.push(JSON.stringify(record));
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'history.jsonl'), lines.join('\n') + '\n');
  // The newest detail is the one the next run reads; the older kept ones only need to exist.
  const kept = details.filter(Boolean);
  const newest = kept.pop();
  writeDetail(dir, newest, { ...base.detail, time: lines.length ? JSON.parse(lines.at(-1)).time : base.detail.time });
  for (const name of kept) fs.copyFileSync(path.join(dir, 'runs', newest), path.join(dir, 'runs', name));
  return performance.now() - t0;
}

/**
 * A fresh copy of a seeded reports folder, flushed to disk: a history written by earlier
 * nights is not waiting in the page cache, and the run's own fsyncs must not pay for the copy.
 */
function freshCopy(template, dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(template, dir, { recursive: true });
  const flush = (p) => {
    const fd = fs.openSync(p, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  };
  for (const rel of fs.readdirSync(dir, { recursive: true })) flush(path.join(dir, rel));
  flush(dir);
}

// --- (d) the report step -----------------------------------------------------------------------

/** A run of `n` cases in the runner's result shape: every 20th failing with a diff, every 50th skipped. */
function makeRun(n, startedAt) {
  const cases = [];
  for (let i = 0; i < n; i++) {
    const id = `test_templates__vm@case_${String(i).padStart(5, '0')}.txt`;
    const base = { id, phase: 'runtime', durationMs: 3, snapshotPath: `tests/snapshots/${id}.snap`, inputPath: `tests/inputs/case_${i}.txt` };
    if (i % 20 === 7) {
      const diff = ['--- expected', '+++ actual', '@@ -1,3 +1,3 @@', ' <ul>', `-  <li>${i % 9}</li>`, `+  <li>${(i % 9) + 1}</li>`, ' </ul>'].join('\n');
      cases.push({ ...base, status: 'fail', rawStatus: 'fail', facet: 'output', reason: 'output differs at line 2', diff });
    } else if (i % 50 === 3) cases.push({ ...base, status: 'skip', rawStatus: 'fail', skipReason: 'parked: whitespace control' });
    else cases.push({ ...base, status: 'pass', rawStatus: 'pass', how: 'exact' });
  }
  const count = (s) => cases.filter((c) => c.status === s).length;
  const phase = { phase: 'runtime', total: n, pass: count('pass'), fail: count('fail'), skip: count('skip'), unexpectedPass: 0, timeout: 0, crash: 0, error: 0, overrides: 0, fuzzy: 0 };
  return { version: 1, startedAt, durationMs: 1500, phases: [phase], cases, staleSkips: [], warnings: [] };
}

async function benchReportStep() {
  const run = makeRun(CASES, new Date().toISOString());
  const templates = { one: path.join(work, 'd-1'), many: path.join(work, `d-${EARLIER}`) };
  const seedMs = { one: seedHistory(templates.one, 1, run), many: seedHistory(templates.many, EARLIER, run) };
  results.seed = { what: `writing ${EARLIER} earlier runs of ${CASES} cases with the library`, ms: round(seedMs.many), historyBytes: fs.statSync(path.join(templates.many, 'history.jsonl')).size };
  const dir = path.join(work, 'd-reports');
  // Trials share this process's heap: each starts from a collected one, so neither pays for
  // garbage the other left.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const once = async (template) => {
    freshCopy(template, dir);
    gc();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await writeReports(dir, { kind: 'test', run, rev: null, env: {}, keepRuns: KEEP_RUNS });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  await once(templates.one); // warm-up: module loading and JIT, untimed
  await once(templates.many);
  const [one, many] = await pairedTrials(() => once(templates.one), () => once(templates.many));
  return summarize(`writeReports in-process, a ${CASES}-case run: ${EARLIER} earlier runs vs 1`, one, many);
}

// --- (e) porter test end to end, (f) bytes per run ----------------------------------------------

async function benchEndToEnd() {
  const dir = path.join(work, 'e');
  fs.mkdirSync(dir);
  const { configPath } = writeGeneratedSuite(dir, CASES, WORKERS);
  const config = fs.readFileSync(configPath, 'utf8');
  const setups = {};
  for (const [key, n] of [['one', 1], ['many', EARLIER]]) {
    const file = path.join(dir, `porter.${n}.yaml`);
    fs.writeFileSync(file, `${config}reports: { dir: reports-${n}, keep_runs: ${KEEP_RUNS} }\n`);
    setups[key] = { argv: [porterBin, 'test', '--config', file], reports: path.join(dir, `reports-${n}`), template: path.join(work, `e-template-${n}`), n };
  }
  // The earlier runs: the suite as porter test records it (every case passing), from one real run.
  const first = spawnSync(process.execPath, setups.one.argv, { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  if (first.status !== 0) {
    results.notes = [`(e) skipped: porter test on the generated suite exited ${first.status}: ${(first.stderr || first.stdout).trim().split('\n').slice(-3).join(' | ')}`];
    return null;
  }
  const { readHistory } = await lib('reports/history-file.js');
  const { readDetail } = await lib('reports/run-details.js');
  const recorded = readHistory(path.join(setups.one.reports, 'history.jsonl')).records[0];
  const detail = readDetail(setups.one.reports, recorded);
  if (!detail.ok) throw new Error(detail.message);
  const phase = recorded.phases[0].phase;
  const run = {
    version: 1,
    startedAt: recorded.time,
    durationMs: recorded.durationMs,
    phases: recorded.phases,
    cases: Object.entries(detail.detail.statuses[phase]).map(([id, status]) => ({ id, phase, status, rawStatus: status, durationMs: 1, snapshotPath: '', inputPath: null, how: 'exact' })),
    staleSkips: [],
    warnings: [],
  };
  for (const s of Object.values(setups)) seedHistory(s.template, s.n, run);

  const added = { historyBytes: [], detailBytes: [] };
  const once = async (s) => {
    freshCopy(s.template, s.reports);
    const before = fs.statSync(path.join(s.reports, 'history.jsonl')).size;
    const timed = await timeProcessWithCpu(s.argv, dir);
    const after = fs.readFileSync(path.join(s.reports, 'history.jsonl'));
    added.historyBytes.push(after.length - before);
    const last = JSON.parse(after.subarray(before).toString('utf8'));
    added.detailBytes.push(fs.statSync(path.join(s.reports, 'runs', last.detail)).size);
    return timed;
  };
  const [one, many] = await pairedTrials(() => once(setups.one), () => once(setups.many));
  results.f = {
    what: `what one porter test run of ${CASES} cases adds`,
    historyBytes: Math.round(median(added.historyBytes)),
    historyBytesMax: Math.max(...added.historyBytes),
    detailBytes: median(added.detailBytes),
  };
  return summarize(`porter test, ${CASES} generated cases, fresh process (CPU: Porter's own process): ${EARLIER} earlier runs vs 1`, one, many);
}

/** Medians and paired ratios of wall and CPU time, from trials of { ms, cpuMs }. */
function summarize(what, one, many) {
  const pick = (list, key) => list.map((x) => x[key]);
  const figures = (key) => {
    const [o, m] = [pick(one, key), pick(many, key)];
    return { one: round(median(o)), many: round(median(m)), ...ratios(m, o), perEarlierRunUs: round(((median(m) - median(o)) / (EARLIER - 1)) * 1000) };
  };
  return {
    what,
    wall: figures('ms'),
    cpu: figures('cpuMs'),
    trials: { oneMs: pick(one, 'ms').map(round), manyMs: pick(many, 'ms').map(round), oneCpuMs: pick(one, 'cpuMs').map(round), manyCpuMs: pick(many, 'cpuMs').map(round) },
  };
}

/** TRIALS pairs of timings, the two back to back, which goes first alternating. */
async function pairedTrials(a, b) {
  const as = [];
  const bs = [];
  for (let t = 0; t < TRIALS; t++) {
    if (t % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  return [as, bs];
}

// --- output ----------------------------------------------------------------------------------

function printTable(r) {
  const rows = [['', '1 earlier run', `${EARLIER} earlier runs`, 'ratio', 'best/best']];
  const row = (label, f) => rows.push([label, `${f.one} ms`, `${f.many} ms`, `${f.ratio}×`, `${f.bestRatio}×`]);
  if (r.d) row(`(d) report step, ${CASES} cases: wall`, r.d.wall);
  if (r.d) row('                              CPU', r.d.cpu);
  if (r.e) row(`(e) porter test, ${CASES} cases: wall`, r.e.wall);
  if (r.e) row('                              CPU', r.e.cpu);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   '));
  console.log(`\ntimes: medians of ${TRIALS} paired trials; ratio: median of per-trial ratios (${EARLIER} vs 1); best/best: fastest against fastest`);
  if (r.d) console.log(`(d) each earlier run costs about ${r.d.cpu.perEarlierRunUs} µs of CPU time in the report step (${r.d.wall.perEarlierRunUs} µs wall)`);
  if (r.f) console.log(`(f) one run adds ${r.f.historyBytes} bytes to history.jsonl (at most ${r.f.historyBytesMax}) and a ${r.f.detailBytes}-byte detail file to runs/`);
  if (r.seed) console.log(`seeding: ${r.seed.what} took ${r.seed.ms} ms (history.jsonl ${r.seed.historyBytes} bytes)`);
  console.log(`machine: ${r.machine.cpus} × ${r.machine.cpu}, Node ${r.machine.node}, load average ${r.machine.loadavg.join(' ')} before, ${r.machine.loadavgAfter.join(' ')} after`);
  for (const note of r.notes ?? []) console.log(`note: ${note}`);
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--skip-e2e') out.skipE2e = true;
    else if (['--trials', '--cases', '--earlier', '--workers'].includes(a)) {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1 || (a === '--earlier' && v < 2)) {
        console.error(`bench: ${a} needs a whole number of at least ${a === '--earlier' ? 2 : 1}`);
        process.exit(2);
      }
      out[a.slice(2)] = v;
    } else {
      console.error(`bench: unknown option ${a} (use --trials N, --cases N, --earlier N, --workers N, --skip-e2e)`);
      process.exit(2);
    }
  }
  return out;
}
