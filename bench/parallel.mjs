// Wall time to green of the parallel example (fixtures/parallel: its ops phase fails in four
// independent clusters) with one agent and with three, side by side in one run, against the
// fake Messages API of the tests answering every request after a fixed delay (300 ms by
// default), as a slow model would. Run `npm run build` first; this imports from dist/.
//
//   node bench/parallel.mjs [--trials N] [--delay MS] [--agents N]
//
// Each trial runs both, in alternating order, each in a fresh workspace: the real agent loop
// or coordinator, workers in git worktrees, the SDK against the fake API on loopback, the real
// suite runner and the merge queue. Times are medians; the ratio is the median of per-trial
// ratios. The floor is what rounds alone allow: the example's 4 clusters take 4 rounds of one
// item for one agent and ceil(4 / N) rounds for N, so 0.5 for N=3 even with nothing else to
// pay. Results go to bench/parallel-results.json (with --delay other than 300:
// bench/parallel-results-<delay>ms.json).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const dist = path.join(root, 'dist', 'harness');
const example = path.join(root, 'fixtures', 'parallel');
const args = process.argv.slice(2);
const flag = (name, d) => {
  const i = args.indexOf(name);
  return i === -1 ? d : Number(args[i + 1]);
};
const TRIALS = flag('--trials', 3);
const DELAY = flag('--delay', 300);
const AGENTS = flag('--agents', 3);

if (!fs.existsSync(path.join(dist, 'agent', 'run-agent.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const { runAgent } = await import(pathToFileURL(path.join(dist, 'agent', 'run-agent.js')).href);

// The tests' fake API and scripted model, compiled from their TypeScript for this run.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-bench-parallel-'));
const support = path.join(work, 'support');
execFileSync(process.execPath, [
  path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--outDir', support, '--module', 'nodenext', '--moduleResolution', 'nodenext',
  '--target', 'es2022', '--skipLibCheck', '--types', 'node',
  path.join(root, 'test', 'support', 'fake-anthropic.ts'), path.join(root, 'test', 'support', 'fake-anthropic-solver.ts'),
], { stdio: 'inherit' });
fs.writeFileSync(path.join(support, 'package.json'), '{"type": "module"}\n');
const { startFakeAnthropic } = await import(pathToFileURL(path.join(support, 'fake-anthropic.js')).href);
const { clusterStageOf, createSolver } = await import(pathToFileURL(path.join(support, 'fake-anthropic-solver.js')).href);

function workspace(name) {
  const ws = path.join(work, name);
  fs.cpSync(path.join(example, 'target'), path.join(ws, 'target'), { recursive: true });
  const yaml = fs.readFileSync(path.join(example, 'porter.config.yaml'), 'utf8').replace(/^source: .*$/m, `source: ${JSON.stringify(path.join(example, 'source'))}`);
  fs.writeFileSync(path.join(ws, 'porter.config.yaml'), yaml);
  return ws;
}

async function toGreen(agents, trial) {
  const solver = createSolver({ solutionDir: path.join(example, 'solution'), stagesFile: 'clusters.json', stageOf: clusterStageOf, targetPrefix: 'target/' });
  const api = await startFakeAnthropic({ responder: (body, index, conversation) => ({ ...solver.responder(body, index, conversation), delayMs: DELAY }) });
  const ws = workspace(`n${agents}-t${trial}`);
  const t0 = performance.now();
  const r = await runAgent({
    configPath: path.join(ws, 'porter.config.yaml'), agents, report: false,
    env: { ...process.env, ANTHROPIC_API_KEY: 'sk-ant-bench-0000', ANTHROPIC_BASE_URL: api.url },
  });
  const ms = performance.now() - t0;
  const requests = api.requests.length;
  await api.close();
  if (!r.ok || r.status !== 'all-pass') {
    console.error(`bench: N=${agents} did not reach green: ${r.ok ? `${r.status}: ${r.detail}` : r.message}`);
    process.exit(1);
  }
  return { ms, requests };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const one = [];
const many = [];
const ratios = [];
for (let t = 0; t < TRIALS; t++) {
  const order = t % 2 === 0 ? [1, AGENTS] : [AGENTS, 1];
  const got = {};
  for (const n of order) got[n] = await toGreen(n, t);
  one.push(got[1].ms);
  many.push(got[AGENTS].ms);
  ratios.push(got[AGENTS].ms / got[1].ms);
  console.log(`trial ${t + 1}: N=1 ${(got[1].ms / 1000).toFixed(2)} s (${got[1].requests} requests) · N=${AGENTS} ${(got[AGENTS].ms / 1000).toFixed(2)} s (${got[AGENTS].requests} requests) · ratio ${(got[AGENTS].ms / got[1].ms).toFixed(2)}`);
}
fs.rmSync(work, { recursive: true, force: true });
const clusters = JSON.parse(fs.readFileSync(path.join(example, 'solution', 'clusters.json'), 'utf8')).stages.length;
const floor = Math.ceil(clusters / AGENTS) / clusters;
const result = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) },
  what: `wall time to green of fixtures/parallel (ops: 14 cases in 4 clusters), fake Messages API answering after ${DELAY} ms`,
  trials: TRIALS,
  agents: AGENTS,
  n1Ms: Number(median(one).toFixed(0)),
  nMs: Number(median(many).toFixed(0)),
  ratio: Number(median(ratios).toFixed(2)),
  floor,
  all: { n1Ms: one.map((x) => Number(x.toFixed(0))), nMs: many.map((x) => Number(x.toFixed(0))) },
};
fs.writeFileSync(path.join(here, DELAY === 300 ? 'parallel-results.json' : `parallel-results-${DELAY}ms.json`), `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nN=1: ${(result.n1Ms / 1000).toFixed(2)} s · N=${AGENTS}: ${(result.nMs / 1000).toFixed(2)} s · ratio ${result.ratio} (median of ${TRIALS} trials; the rounds alone allow ${floor.toFixed(2)})`);
