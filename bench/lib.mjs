// Helpers the benchmarks share: the generated suite, process timing and the statistics.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const echoWorker = path.join(here, 'echo-worker.mjs');

/** N snapshots whose expected output is their input body, a config running the echo worker, and the request lines. */
export function writeGeneratedSuite(dir, n, workers) {
  const src = path.join(dir, 'source');
  fs.mkdirSync(path.join(src, 'tests', 'snapshots'), { recursive: true });
  fs.mkdirSync(path.join(src, 'tests', 'inputs'), { recursive: true });
  const lines = [];
  for (let i = 0; i < n; i++) {
    const name = `case${String(i).padStart(5, '0')}.txt`;
    const id = `test_bench__echo@${name}`;
    const body = `Hello {{ name }} number ${i}!`;
    const inputRel = `tests/inputs/${name}`;
    const snapRel = `tests/snapshots/${id}.snap`;
    fs.writeFileSync(path.join(src, inputRel), `{"seq": ${i}}\n---\n${body}`);
    const header = { source: 'tests/test_bench.rs', expression: '&rendered', input_file: inputRel };
    fs.writeFileSync(path.join(src, snapRel), `---\nsource: ${header.source}\nexpression: "${header.expression}"\ninput_file: ${inputRel}\n---\n${body}\n`);
    lines.push(JSON.stringify({ id, phase: 'echo', input: { path: inputRel, header: { seq: i }, header_raw: `{"seq": ${i}}`, body }, params: {}, files: {}, snapshot: { path: snapRel, header } }));
  }
  const requestsPath = path.join(dir, 'requests.jsonl');
  fs.writeFileSync(requestsPath, lines.join('\n') + '\n');
  fs.mkdirSync(path.join(dir, 'skiplist'));
  fs.mkdirSync(path.join(dir, 'overrides'));
  const configPath = path.join(dir, 'porter.config.yaml');
  fs.writeFileSync(
    configPath,
    [
      'source: source',
      'snapshots: ["tests/snapshots/*.snap"]',
      'phases:',
      '  - name: echo',
      '    cases: ["test_bench__echo@*"]',
      '    inputs: [tests/inputs]',
      'target:',
      `  command: ${JSON.stringify([process.execPath, echoWorker])}`,
      '  protocol: stdio',
      `  workers: ${workers}`,
      '  timeout: 10s',
      'skiplist: skiplist',
      'overrides: overrides',
      '',
    ].join('\n'),
  );
  return { configPath, requestsPath };
}

/** Runs `node ARGV...` in `cwd` and resolves to its wall time in ms; rejects when it exits non-zero. */
export async function timeProcess(argv, cwd) {
  return (await timeProcessWithCpu(argv, cwd, false)).ms;
}

const cpuHook = path.join(here, 'cpu-hook.mjs');

/**
 * Like timeProcess, and with `cpu` also the CPU time (user + system) the Node process itself
 * used, reported by bench/cpu-hook.mjs at its exit: on a machine shared with other work, CPU
 * time moves far less than wall time. The target processes it starts are not counted.
 */
export function timeProcessWithCpu(argv, cwd, cpu = true) {
  const cpuFile = cpu ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'porter-cpu-')), 'usage.json') : null;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const args = cpuFile ? ['--import', pathToFileURL(cpuHook).href, ...argv] : argv;
    const env = { ...process.env, CI: '1', ...(cpuFile ? { PORTER_BENCH_CPU_FILE: cpuFile } : {}) };
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${argv.slice(0, 2).join(' ')} exited ${code}: ${err.slice(-500)}`));
      if (!cpuFile) return resolve({ ms });
      const usage = JSON.parse(fs.readFileSync(cpuFile, 'utf8'));
      fs.rmSync(path.dirname(cpuFile), { recursive: true, force: true });
      resolve({ ms, cpuMs: (usage.user + usage.system) / 1000 });
    });
  });
}

/** A ratio is the median of per-trial ratios (paired runs share the machine's load); bestRatio compares the fastest of each. */
export function ratios(porterMs, floorMs) {
  const paired = porterMs.map((p, i) => p / floorMs[i]);
  return { ratio: +median(paired).toFixed(2), bestRatio: +(Math.min(...porterMs) / Math.min(...floorMs)).toFixed(2) };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function round(x) {
  return Math.round(x * 10) / 10;
}

