import fs from 'node:fs';
import path from 'node:path';
import type { PorterConfig } from '../config/types.js';
import { causeFields, clusterFailures } from '../reports/cluster.js';
import type { CaseResult } from '../run/types.js';
import { caseDetail, fence, readInput } from './failure-report.js';
import { phaseCounts, type SuiteVerdict } from './verdict.js';
import { countsLine, isFailing } from '../judge/case-status.js';

/**
 * What the agent is told. The seed is the stable prefix of a phase's conversation (cached
 * by the API): the job, the protocol, the rules, the summaries of earlier phases. The task
 * message is one iteration's news: counts, regressions, notes, and the failures grouped
 * by likely cause with a few full examples — the rest by id, and all of it in a file.
 */

export interface SeedInput {
  config: PorterConfig;
  workspace: string;
  phase: string;
  guidance?: string;
  summaries: ReadonlyArray<{ phase: string; summary: string }>;
  allowSkip: boolean;
}

export interface TaskInput {
  config: PorterConfig;
  iteration: number;
  phase: string;
  verdict: SuiteVerdict;
  /** Cases that passed at the last green commit and fail now. */
  regressions: CaseResult[];
  triesLeft: number;
  /** Set when the workspace was just reset to the last green commit: why. */
  resetNote?: string;
  notes: string[];
  /** Path of the full failure report, as the agent should read it. */
  reportFile: string;
  /** What changed upstream for this phase's failing cases (`porter agent --sync`): shown before the failures. */
  upstream?: string | undefined;
  /** A parallel worker's item: the cases it is to make pass (the rest of the phase is other workers'). */
  goal?: { phase: string; cases: readonly string[]; label: string };
  /** Most clusters shown with a full example. */
  examples?: number;
  /** Most ids listed per cluster, and most clusters listed at all. */
  maxIds?: number;
  maxClusters?: number;
}

function protocolText(config: PorterConfig): string {
  const t = config.target;
  const request = '{"id", "phase", "input": {"path", "header", "body"}, "files": {"<path>": "<content>"}, "snapshot": {"path", "header"}}';
  const how =
    t.protocol === 'stdio'
      ? `Protocol stdio: long-lived worker processes; the harness writes one JSON request per line on stdin, ${request}, and reads exactly one JSON response line per request on stdout: {"id", "output": "<text>"}, optionally with "error": {"kind", "message", "line"}. Nothing else may go to stdout (use stderr for logging).`
      : `Protocol exec: one process per case; the request JSON ${request} is on stdin; exit 0 means stdout is the output, anything else is a crash.`;
  return `The harness runs the target command \`${t.command.join(' ')}\` in ${t.cwd} (timeout ${t.timeoutMs} ms per case). ${how}`;
}

export function buildSeed(s: SeedInput): string {
  const { config } = s;
  const phases = config.phases.map((p) => p.name);
  const parts = [
    `You are porting the project at ${config.source} to a new implementation, the target, in the workspace ${s.workspace}.`,
    `The oracle is the source project's own snapshot suite (insta .snap files matched by ${config.snapshots.join(', ')} under ${config.source}). Each case gives an input to the target and compares its output with the snapshot. Errors compare by marker, kind, line and message similarity, because a port cannot reproduce another language's messages byte for byte.`,
    protocolText(config),
    `The work goes phase by phase: ${phases.join(' → ')}. This conversation is about phase "${s.phase}".`,
    'Rules: the harness judges, not you — it re-runs the suite after you finish, commits when more cases pass and nothing regresses, and resets the workspace to the last green commit when changes keep breaking cases that passed. The snapshots, inputs, skip-list, overrides and the porter config are read-only. Never special-case test ids or inputs; implement the behaviour the source project has.',
    s.allowSkip
      ? 'If a case truly cannot pass (a platform difference, not difficulty), park it with skip_case and a reason; every skip is shown to the maintainer. Protected cases cannot be skipped.'
      : 'Skipping cases is not allowed in this run: make them pass.',
    'Use run_tests to check your work. Stop (reply without tool calls) when the phase passes or you need the harness to judge.',
  ];
  if (s.guidance) parts.push(`Guidance from the maintainer for phase "${s.phase}": ${s.guidance}`);
  if (s.summaries.length > 0) {
    parts.push('Summaries of the phases done so far (what was built, where, what is left):');
    for (const x of s.summaries) parts.push(`## ${x.phase}\n${x.summary}`);
  }
  return parts.join('\n\n');
}

function idList(ids: string[], max: number): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')} … and ${ids.length - max} more (see the report)`;
}

function regressionBlock(t: TaskInput): string[] {
  if (t.regressions.length === 0) return [];
  const lines = [
    `Regressions: ${t.regressions.length} case(s) passed at the last green commit and fail now. Fix them first; ${t.triesLeft > 0 ? `after ${t.triesLeft} more iteration(s) with regressions the workspace is reset to the last green commit` : 'the next regression resets the workspace to the last green commit'}.`,
  ];
  for (const c of t.regressions.slice(0, t.maxIds ?? 30)) lines.push(`- ${c.id} (${c.phase}) [${c.status}]${c.reason ? `: ${c.reason}` : ''}`);
  if (t.regressions.length > (t.maxIds ?? 30)) lines.push(`… and ${t.regressions.length - (t.maxIds ?? 30)} more (see the report)`);
  return [lines.join('\n')];
}

export function buildTaskMessage(t: TaskInput): string {
  const { verdict: v, phase } = t;
  const c = phaseCounts(v, phase);
  const index = t.config.phases.findIndex((p) => p.name === phase);
  const parts: string[] = [
    `Iteration ${t.iteration} · phase "${phase}" (${index + 1} of ${t.config.phases.length})`,
    t.goal ? goalLine(t.goal, v) : `Goal: make every case of phase "${phase}" pass. Now ${c.pass} of ${c.total} pass, ${c.fail} fail${c.skip ? `, ${c.skip} skip-listed` : ''}. All phases: ${countsLine(v.phases)}.`,
  ];
  if (t.resetNote) parts.push(`The workspace was reset to the last green commit: ${t.resetNote}. Your uncommitted changes are gone; take another approach.`);
  parts.push(...regressionBlock(t));
  for (const note of t.notes) parts.push(`Note from the maintainer:\n${note.split('\n').map((l) => `> ${l}`).join('\n')}`);
  if (t.upstream) parts.push(t.upstream);

  if (v.targetError) {
    parts.push(`The target does not start, so every case fails: ${v.targetError}\nCreate or fix it first (target command \`${t.config.target.command.join(' ')}\` in ${t.config.target.cwd}).`);
    const examples = v.cases.filter((x) => x.phase === phase).slice(0, t.examples ?? 3);
    if (examples.length > 0) parts.push(`Cases of "${phase}" (${c.total} in all; the snapshot holds the expected output after its header):`);
    for (const x of examples) parts.push(exampleCase(t.config.source, x));
  } else {
    const mine = t.goal ? new Set(t.goal.cases) : null;
    const failing = v.cases.filter((x) => x.phase === phase && isFailing(x.status) && (mine === null || mine.has(x.id)));
    const clusters = clusterFailures(failing.map((x) => ({ ...x, ...causeFields(x) })));
    const maxClusters = t.maxClusters ?? 15;
    const examples = t.examples ?? 3;
    if (clusters.length > 0) parts.push(`Failing cases of ${mine ? 'your item' : `"${phase}"`}, grouped by likely cause (${failing.length} cases, ${clusters.length} groups):`);
    clusters.slice(0, maxClusters).forEach((cl, i) => {
      const head = `${i + 1}. ${cl.label}${cl.sample ? `: \`${cl.sample}\`` : ''} — ${cl.cases.length} case(s): ${idList(cl.cases.map((x) => x.id), t.maxIds ?? 30)}`;
      const first = cl.cases[0]!;
      parts.push(i < examples ? `${head}\n\nExample:\n${caseDetail(t.config.source, first, 1500)}` : head);
    });
    if (clusters.length > maxClusters) parts.push(`… ${clusters.length - maxClusters} more groups in the report.`);
  }
  parts.push(`The full report with every failure, its input and diff: ${t.reportFile}`);
  parts.push(`Check your work with run_tests {"phase": "${phase}"}. When you stop, the harness re-runs the suite and decides.`);
  return parts.join('\n\n');
}

function goalLine(goal: NonNullable<TaskInput['goal']>, v: SuiteVerdict): string {
  const mine = new Set(goal.cases);
  const failing = v.cases.filter((x) => mine.has(x.id) && isFailing(x.status)).length;
  const others = v.cases.filter((x) => x.phase === goal.phase && isFailing(x.status) && !mine.has(x.id)).length;
  return [
    `Goal: make the ${goal.cases.length} case(s) of your work item pass (${goal.label}); ${failing} of them fail now. All phases: ${countsLine(v.phases)}.`,
    `Other agents are working on the ${others} other failing case(s) of phase "${goal.phase}" at the same time: leave them alone, keep your change to what your cases need, and break nothing that passes — the harness merges your work only if no passing case fails.`,
  ].join(' ');
}

function exampleCase(sourceRoot: string, c: CaseResult): string {
  const lines = [`### ${c.id}`, `- snapshot: ${path.join(sourceRoot, c.snapshotPath)}`];
  if (c.inputPath) lines.push(`- input: ${path.join(sourceRoot, c.inputPath)}`);
  const input = readInput(sourceRoot, c, 1500);
  if (input !== null) lines.push('', 'Input:', '', fence(input));
  try {
    const snap = fs.readFileSync(path.join(sourceRoot, c.snapshotPath), 'utf8');
    lines.push('', 'Snapshot:', '', fence(snap.length > 1500 ? `${snap.slice(0, 1500)}\n… (cut)` : snap));
  } catch {
    // The snapshot path is in the line above; the agent can read it.
  }
  return lines.join('\n');
}

export function summaryRequest(phase: string, total: number): string {
  return [
    `Phase "${phase}" is done: all ${total} of its cases pass (skip-listed ones aside), and the harness committed it.`,
    'Write the phase summary that the next phase will start from, in a fresh conversation: what you built, where (files and their roles), the design decisions that matter, and what is left or fragile. Keep it under 400 words. Reply with the summary only, without calling tools or changing files.',
  ].join('\n\n');
}

/** The report path as the agent should name it: relative to the workspace. */
export function shownPath(workspace: string, file: string): string {
  const rel = path.relative(workspace, file);
  return rel.startsWith('..') ? file : rel;
}
