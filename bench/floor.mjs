// The floor: the least any harness must do to push the same request lines through the same
// workers under the same rule (one request in flight per worker). No validation, no timeouts,
// no JSON parsing of answers: it counts newlines. Usable as a module or as a script:
//   node bench/floor.mjs REQUESTS.jsonl WORKERS -- COMMAND...
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

/** Spawns `workers` copies of `command`; resolves once they are all spawned. */
export async function spawnWorkers(command, workers) {
  const procs = [];
  for (let i = 0; i < workers; i++) {
    const child = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
    procs.push(child);
  }
  return procs;
}

/** Pipes every line (each ending in '\n') through the workers; resolves with the answer count. */
export function pipeThrough(procs, lines) {
  let next = 0;
  let answered = 0;
  return new Promise((resolve) => {
    if (lines.length === 0) return resolve(0);
    for (const child of procs) {
      child.stdout.on('data', (chunk) => {
        let i = -1;
        while ((i = chunk.indexOf(10, i + 1)) !== -1) {
          answered++;
          if (next < lines.length) child.stdin.write(lines[next++]);
          if (answered === lines.length) resolve(answered);
        }
      });
      if (next < lines.length) child.stdin.write(lines[next++]);
    }
  });
}

export async function closeWorkers(procs) {
  await Promise.all(
    procs.map((child) => new Promise((resolve) => {
      child.once('close', resolve);
      child.stdin.end();
    })),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, workers, sep, ...command] = process.argv.slice(2);
  if (!file || !workers || sep !== '--' || command.length === 0) {
    console.error('usage: node bench/floor.mjs REQUESTS.jsonl WORKERS -- COMMAND...');
    process.exit(2);
  }
  const t0 = performance.now();
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l + '\n');
  const procs = await spawnWorkers(command, Number(workers));
  const n = await pipeThrough(procs, lines);
  await closeWorkers(procs);
  console.log(JSON.stringify({ cases: n, ms: performance.now() - t0 }));
}
