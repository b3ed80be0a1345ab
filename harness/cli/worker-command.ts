import path from 'node:path';
import { queueLocationProblem } from '../agent/parallel/queue/open-queue.js';
import { runWorkers } from '../agent/parallel/remote-workers.js';
import { duration } from '../agent/stats-format.js';
import { defaultFlagValue, parseFlags, positiveInt } from './args.js';
import { DEFAULT_CONFIG } from './config-path.js';
import { EXIT, usageError, type CliIO } from './io.js';
import { writeOutput } from './output-file.js';
import { stopGently } from './signals.js';

export const WORKER_HELP = `Usage: porter worker --queue URL [options]

Works for a parallel porter agent run coordinated on another machine (porter agent
--queue URL). Run it in a clone of the workspace's repository, with the same
porter.config.yaml and the source project where the config says. Each worker claims a
work item, runs the agent on it in a git worktree under .porter/worktrees/, and pushes
its result to agent.remote, the coordinator's git remote; the coordinator judges and
merges it. A worker that stops heartbeating (killed, machine gone) loses its item to
another after the lease. Leaves when the coordinator's run has stopped and no item
waits, or on Ctrl-C (unfinished work is kept as patches in .porter/wip/ and its item
given back).

Options:
  --queue URL      the coordinator's work queue (postgres://user@host/db; the password
                   may come from PGPASSWORD or ~/.pgpass)
  --agents N       workers in this process (default 1)
  --config FILE    config file (default: ./porter.config.yaml)
  --json [FILE]    write what each worker did as JSON (no FILE or '-': stdout)
  -h, --help       show this help

Exit status: 0 when the workers stopped; 2 for config, queue or usage errors (another
Porter version or config than the coordinator's, an unreachable database).
`;

export async function workerCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags('worker', defaultFlagValue(argv, '--json'), {
    config: { type: 'string' }, queue: { type: 'string' }, agents: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(io, parsed.message);
  const v = parsed.values;
  if (v.help) {
    io.stdout(WORKER_HELP);
    return EXIT.ok;
  }
  if (parsed.positionals.length > 0) return usageError(io, `porter worker: unexpected argument "${parsed.positionals[0]}"; see \`porter worker --help\``);
  if (v.queue === undefined) return usageError(io, 'porter worker: --queue URL is required: the PostgreSQL URL the coordinator (porter agent --queue URL) uses');
  const where = queueLocationProblem(v.queue, false);
  if (where) return usageError(io, `porter worker: ${where}`);
  const agents = positiveInt('--agents', v.agents);
  if (!agents.ok) return usageError(io, `porter worker: ${agents.message}`);

  const human = v.json === '-' ? io.stderr : io.stdout;
  const { signal, release } = stopGently(io.stderr, (sig) => `porter worker: ${sig}: stopping; unfinished work is kept in .porter/wip/ and the items given back (again to quit at once)`);
  let r: Awaited<ReturnType<typeof runWorkers>>;
  try {
    r = await runWorkers({
      configPath: path.resolve(io.cwd, v.config ?? DEFAULT_CONFIG), queue: v.queue, agents: agents.value ?? 1, env: io.env,
      signal, progress: (line) => human(`${line}\n`),
    });
  } finally {
    release();
  }
  if (!r.ok) return usageError(io, `porter: ${r.message}`);
  const per = r.workers.map((id) => {
    const mine = r.ends.filter((e) => e.workerId === id);
    const count = (k: string) => mine.filter((e) => e.outcome === k).length;
    return {
      id, items: mine.length, results: count('result'), failed: count('failed'), released: count('released') + count('lost'),
      costUsd: mine.reduce((n, e) => n + e.costUsd, 0), busyMs: mine.reduce((n, e) => n + e.busyMs, 0),
    };
  });
  for (const w of per) human(`${w.id}: ${w.items} item(s) · ${w.results} result(s) · ${w.failed} without gain · ${w.released} given back · $${w.costUsd.toFixed(2)} · busy ${duration(w.busyMs)}\n`);
  if (v.json) {
    const out = await writeOutput(io, v.json, `${JSON.stringify({ workers: per, items: r.ends }, null, 2)}\n`);
    if (!out.ok) return usageError(io, `porter: ${out.message}`);
  }
  return EXIT.ok;
}
