import os from 'node:os';
import path from 'node:path';
import { readAgentConfig } from '../agent/agent-config.js';
import { pidAlive, readLock } from '../agent/lock.js';
import { lockPath, sessionsDir, sessionPath } from '../agent/porter-dir.js';
import { runAgent, type AgentRunOptions } from '../agent/run-agent.js';
import { latestSession, readSession } from '../agent/session-log.js';
import { formatStats, formatWorkers } from '../agent/stats-format.js';
import { parallelFigures } from '../agent/parallel/parallel-figures.js';
import { openItemStatus } from '../agent/parallel/parallel-status.js';
import { DURATION_HINT, parseDuration } from '../config/duration.js';
import { queueLocationProblem } from '../agent/parallel/queue/open-queue.js';
import { computeStats } from '../agent/stats.js';
import { defaultFlagValue, parseFlags, positiveInt } from './args.js';
import { DEFAULT_CONFIG, loadConfigFor } from './config-path.js';
import { EXIT, usageError, type CliIO } from './io.js';
import { writeOutput } from './output-file.js';
import { stopGently } from './signals.js';

export const AGENT_HELP = `Usage: porter agent [options]

Drives a coding agent phase by phase until every snapshot case passes. The harness
judges every iteration itself, commits each step forward, and resets changes that keep
breaking passing cases. Runs unattended: durable session log, budgets, stall detection.

Options:
  --config FILE         config file (default: ./porter.config.yaml)
  --resume [RUN]        continue the latest run (or RUN) from its session log
  --allow-dirty         start on uncommitted changes (they are committed first)
  --note TEXT           a note for the agent's next message (or write notes.md)
  --phase P             start at phase P
  --sync                port what changed upstream since porter.upstream.json's revision
                        (see porter sync): those cases first, with their old and new
                        expected output; when every case passes, that revision is recorded
  --model M             model for every phase without its own (agent.model)
  --stall N             stop after N iterations without more passing cases (default 5)
  --budget-usd X        stop before spending more than X US dollars
  --max-tokens N        stop after N input + cache-write + output tokens
  --max-hours H         stop after H hours of work
  --max-iterations N    stop after N iterations (in a parallel run: worker iterations)
  --agents N            run N agents at once on this machine (default 1): each works on
                        its own failure cluster in a git worktree under .porter/worktrees/,
                        and a merge queue merges their results onto the workspace's branch
                        one at a time, keeping a merge only when the harness finds no case
                        broken and more passing
  --queue URL           coordinate workers on many machines through PostgreSQL
                        (postgres://user@host/db); start them with porter worker, and set
                        agent.remote, the git remote they push results to. Without
                        --agents, no worker runs on this machine
  --lease DURATION      parallel runs: how long an item stays with a worker that stopped
                        heartbeating before another takes it over (default 60s)
  --json FILE           write the final status and stats as JSON ('-': stdout)
  -h, --help            show this help

Exit status: 0 when every phase passes; 1 when the run stopped with failures left
(budget, stall, limits, interruption; the reason is on the last line); 2 for config
or usage errors.
`;

export const STATUS_HELP = `Usage: porter status [options]

Shows the state and stats of the workspace's latest agent run, running or finished.
For a parallel run, also its workers, the merge queue's outcome and the items still out.

Options:
  --config FILE   config file (default: ./porter.config.yaml)
  --run RUN       a given run instead of the latest
  --json [FILE]   write the stats as JSON (no FILE or '-': stdout)
  -h, --help      show this help
`;

function positiveNumber(flag: string, v: string | undefined): { ok: true; value?: number } | { ok: false; message: string } {
  if (v === undefined) return { ok: true };
  const x = Number(v);
  return Number.isFinite(x) && x > 0 ? { ok: true, value: x } : { ok: false, message: `${flag} needs a positive number, got "${v}"` };
}

/** `--resume` may stand alone or take a run id. */
function resumeValue(argv: string[]): string[] {
  return defaultFlagValue(argv, '--resume', '');
}

export async function agentCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags('agent', defaultFlagValue(resumeValue(argv), '--json'), {
    config: { type: 'string' }, resume: { type: 'string' }, 'allow-dirty': { type: 'boolean' }, note: { type: 'string' },
    phase: { type: 'string' }, model: { type: 'string' }, stall: { type: 'string' }, 'budget-usd': { type: 'string' },
    'max-tokens': { type: 'string' }, 'max-hours': { type: 'string' }, 'max-iterations': { type: 'string' }, json: { type: 'string' },
    sync: { type: 'boolean' }, agents: { type: 'string' }, queue: { type: 'string' }, lease: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(io, parsed.message);
  const v = parsed.values;
  if (v.help) {
    io.stdout(AGENT_HELP);
    return EXIT.ok;
  }
  if (parsed.positionals.length > 0) return usageError(io, `porter agent: unexpected argument "${parsed.positionals[0]}"; see \`porter agent --help\``);
  const stall = positiveInt('--stall', v.stall);
  const maxTokens = positiveInt('--max-tokens', v['max-tokens']);
  const maxIterations = positiveInt('--max-iterations', v['max-iterations']);
  const budget = positiveNumber('--budget-usd', v['budget-usd']);
  const hours = positiveNumber('--max-hours', v['max-hours']);
  const agents = positiveInt('--agents', v.agents);
  for (const r of [stall, maxTokens, maxIterations, budget, hours, agents]) if (!r.ok) return usageError(io, `porter agent: ${r.message}`);
  const lease = v.lease === undefined ? undefined : parseDuration(v.lease);
  if (lease === null || (lease !== undefined && lease < 1000)) return usageError(io, `porter agent: --lease needs a duration of a second or more (${DURATION_HINT}), got "${v.lease}"`);
  const where = v.queue === undefined ? null : queueLocationProblem(v.queue);
  if (where) return usageError(io, `porter agent: ${where}`);

  // With the JSON on stdout, progress goes to stderr.
  const human = v.json === '-' ? io.stderr : io.stdout;
  const live = io.isTTY && !io.env.CI;
  const stamp = () => (live ? `[${new Date().toTimeString().slice(0, 8)}] ` : '');
  const { signal, release } = stopGently(io.stderr, (sig) => `porter agent: ${sig}: finishing the current step, judging, and stopping on the last green commit (again to quit at once)`);
  const limits = {
    ...(budget.ok && budget.value !== undefined ? { budgetUsd: budget.value } : {}),
    ...(maxTokens.ok && maxTokens.value !== undefined ? { maxTokens: maxTokens.value } : {}),
    ...(hours.ok && hours.value !== undefined ? { maxHours: hours.value } : {}),
    ...(maxIterations.ok && maxIterations.value !== undefined ? { maxIterations: maxIterations.value } : {}),
  };
  const options: AgentRunOptions = {
    configPath: path.resolve(io.cwd, v.config ?? DEFAULT_CONFIG),
    ...(v.resume !== undefined ? { resume: v.resume === '' ? true : v.resume } : {}),
    ...(v['allow-dirty'] ? { allowDirty: true } : {}),
    ...(v.note ? { note: v.note } : {}),
    ...(v.phase ? { phase: v.phase } : {}),
    ...(v.sync ? { sync: true } : {}),
    ...(agents.ok && agents.value !== undefined ? { agents: agents.value } : {}),
    ...(v.queue !== undefined ? { queue: v.queue } : {}),
    ...(lease !== undefined ? { leaseMs: lease } : {}),
    ...(v.model ? { model: v.model } : {}),
    ...(stall.ok && stall.value !== undefined ? { stall: stall.value } : {}),
    limits,
    argv: ['agent', ...argv],
    env: io.env,
    signal,
    progress: (line) => human(`${stamp()}${line}\n`),
    warn: (line) => io.stderr(`warning: ${line}\n`),
  };
  let result: Awaited<ReturnType<typeof runAgent>>;
  try {
    result = await runAgent(options);
  } catch (e) {
    io.stderr(`porter: ${(e as Error).message}\n`);
    return EXIT.failures;
  } finally {
    release();
  }
  if (!result.ok) return usageError(io, `porter: ${result.message}`);

  const exitCode = result.status === 'all-pass' ? EXIT.ok : EXIT.failures;
  human(`\n${formatStats(result.stats)}`);
  if (result.workers && result.merges) human(`\n${formatWorkers(result.workers, result.merges, result.stats.wallMs)}`);
  for (const s of result.summaries) human(`\nSummary of ${s.phase}:\n${s.summary}\n`);
  if (v.json) {
    const json = JSON.stringify({
      status: result.status, detail: result.detail, exitCode, run: result.run, sessionFile: result.sessionFile, phases: result.phases, failing: result.failing, summaries: result.summaries, stats: result.stats,
      ...(result.workers ? { workers: result.workers, merges: result.merges } : {}),
    }, null, 2);
    const w = await writeOutput(io, v.json, `${json}\n`);
    if (!w.ok) io.stderr(`porter: ${w.message}\n`);
  }
  human(result.status === 'all-pass'
    ? `porter agent: every phase passes (run ${result.run})\n`
    : `porter agent: stopped with ${result.failing.length} failing case(s): ${result.status}: ${result.detail}\n`);
  return exitCode;
}

export async function statusCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags('status', defaultFlagValue(argv, '--json'), {
    config: { type: 'string' }, run: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(io, parsed.message);
  const v = parsed.values;
  if (v.help) {
    io.stdout(STATUS_HELP);
    return EXIT.ok;
  }
  const config = await loadConfigFor(io, v.config);
  if (!config) return EXIT.usage;
  const agent = readAgentConfig(config);
  if (!agent.ok) return usageError(io, `porter: ${agent.message}`);
  const ws = agent.agent.workspace;
  const file = v.run ? sessionPath(ws, v.run) : latestSession(ws);
  if (!file || !(await import('node:fs')).existsSync(file)) {
    return usageError(io, `porter status: no agent run${v.run ? ` named ${v.run}` : ''} in ${sessionsDir(ws)}; start one with porter agent`);
  }
  const { entries, warnings } = readSession(file);
  for (const w of warnings) io.stderr(`warning: ${w}\n`);
  const lock = readLock(lockPath(ws));
  const runId = path.basename(file, '.jsonl');
  const running = lock !== null && lock.runId === runId && (lock.hostname !== os.hostname() || pidAlive(lock.pid));
  const stats = computeStats(entries, running ? { now: new Date() } : {});
  const state = running
    ? `running (pid ${lock!.pid} on ${lock!.hostname})`
    : stats.stop
      ? `stopped: ${stats.stop.reason}: ${stats.stop.detail}`
      : 'not running, and it did not stop cleanly: continue it with porter agent --resume';
  const figures = parallelFigures(entries);
  const items = openItemStatus(entries, file);
  if (v.json) {
    const parallel = figures ? { workers: figures.workers, merges: figures.merges, items } : {};
    const w = await writeOutput(io, v.json, `${JSON.stringify({ run: runId, sessionFile: file, running, state, stats, ...parallel }, null, 2)}\n`);
    if (!w.ok) return usageError(io, `porter: ${w.message}`);
    if (v.json === '-') return EXIT.ok;
  }
  io.stdout(`Run ${runId}: ${state}\n`);
  if (stats.lastTest) io.stdout(`Last verdict (${stats.lastTest.phase}): ${stats.lastTest.pass}/${stats.lastTest.total}\n`);
  io.stdout(`\n${formatStats(stats)}`);
  if (figures) {
    io.stdout(`\n${formatWorkers(figures.workers, figures.merges, stats.wallMs)}`);
    const out = items ?? [];
    io.stdout(`\nItems out: ${out.length}\n`);
    for (const i of out) {
      const who = i.worker ? `${i.worker} since ${i.since}` : running ? 'waiting, or with a worker on another machine' : 'not being worked on';
      io.stdout(`  ${i.id} (attempt ${i.attempt}, ${i.cases} case(s) of ${i.phase}): ${who} · ${i.label}\n`);
    }
  }
  return EXIT.ok;
}
