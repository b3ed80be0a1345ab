/**
 * A scripted "model" for the fake Messages API that solves the bundled example phase by
 * phase, as a real agent would through the built-in tools: on a task message it writes the
 * solution file(s) of the message's phase (`fixtures/example/solution/stages.json`), then
 * calls `run_tests`, then ends its turn with a summary. A phase-summary request gets a text
 * answer, and so does the compaction summariser.
 *
 * It misbehaves on cue: before the writes of a phase it can try to overwrite a snapshot,
 * escape the workspace, send a bad tool argument or unparseable tool input; each cue fires
 * once, and the solver carries on after the tool's (error) result.
 *
 * What it decides is read from the request alone (tool_use ids encode the step), so a
 * resumed run against the same server continues where the conversation stands, and several
 * conversations can run at once. With `stagesFile: 'clusters.json'` and `stageOf:
 * clusterStageOf` (the parallel example) a stage is a cluster of one phase: each conversation
 * writes the file of the cluster its task names first, as a parallel worker would.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Responder, ScriptedBlock, ScriptedTurn, ScriptedUsage } from './fake-anthropic.js';

export type MisbehaviourKind = 'write-snapshot' | 'escape' | 'bad-argument' | 'bad-json';

export interface Misbehaviour {
  phase: string;
  kind: MisbehaviourKind;
  /** For write-snapshot: the path to write (relative to the workspace, or absolute). */
  path?: string;
}

export interface SolverOptions {
  /** Folder with the stages file and the solution files. */
  solutionDir: string;
  /** The stages file in solutionDir (default stages.json). */
  stagesFile?: string;
  /** Which stage a user text is about; default: the stage of the phase phaseOf finds. */
  stageOf?: (text: string, stages: Stage[]) => Stage | null;
  /** Prefix for the written paths inside the workspace (default: the workspace root). */
  targetPrefix?: string;
  misbehave?: Misbehaviour[];
  /** Usage figures per answer (default: the fake server's estimate). */
  usage?: (requestIndex: number) => ScriptedUsage | undefined;
  /** Which phase a task text is about; default: "phase <name>" or the first phase name it mentions. */
  phaseOf?: (text: string, phases: string[]) => string | null;
  /** Whether a user text asks for the phase summary; default: it mentions a "phase summary" or asks to summarise. */
  isSummaryRequest?: (text: string) => boolean;
}

export interface Solver {
  responder: Responder;
  /** Misbehaviours fired so far, in order. */
  fired: Misbehaviour[];
  /** Phases the solver has been asked to work on, in order of first request. */
  phasesSeen: string[];
}

/** A unit of the solution: the files that make a phase (or one cluster of it, `name`d) pass. */
export interface Stage {
  phase: string;
  files: string[];
  name?: string;
  /** The glob of the case ids the stage fixes, e.g. `test_ops__ops@wrap_*`. */
  cases?: string;
}

// tool_use ids: toolu_porter_<request>_<step>_<n>, so the next step can be read off the last turn.
const ID = /^toolu_porter_\d+_([a-z-]+)_\d+$/;

export function createSolver(opts: SolverOptions): Solver {
  const stages = (JSON.parse(fs.readFileSync(path.join(opts.solutionDir, opts.stagesFile ?? 'stages.json'), 'utf8')) as { stages: Stage[] }).stages;
  const phases = [...new Set(stages.map((s) => s.phase))];
  const phaseOf = opts.phaseOf ?? defaultPhaseOf;
  const stageOf = opts.stageOf ?? ((t: string) => stages.find((s) => s.phase === phaseOf(t, phases)) ?? null);
  const isSummaryRequest = opts.isSummaryRequest ?? defaultIsSummaryRequest;
  const pending = [...(opts.misbehave ?? [])];
  const solver: Solver = { responder, fired: [], phasesSeen: [] };
  const prefix = opts.targetPrefix ?? '';

  function responder(body: any, index: number): ScriptedTurn {
    const turn = decide(body, index);
    const usage = opts.usage?.(index);
    return usage ? { ...turn, usage } : turn;
  }

  function decide(body: any, index: number): ScriptedTurn {
    if (typeof body.system === 'string' && /summar/i.test(body.system)) {
      return text('Summary: the solver wrote the solution files of the phases so far and ran the tests.');
    }
    const messages: any[] = body.messages ?? [];
    const last = messages.at(-1);
    const lastBlocks: any[] = typeof last?.content === 'string' ? [{ type: 'text', text: last.content }] : (last?.content ?? []);
    const userText = lastBlocks.filter((b) => b.type === 'text').map((b) => b.text as string).join('\n');
    const stage = currentStage(messages, systemText(body));
    const phase = stage?.phase ?? null;
    if (phase && !solver.phasesSeen.includes(phase)) solver.phasesSeen.push(phase);

    if (userText && isSummaryRequest(userText)) {
      return text(`Phase ${phase ?? 'unknown'} summary: wrote ${stage?.files.map((f) => prefix + f).join(', ') ?? 'nothing'}; all its cases pass; nothing is left in this phase.`);
    }
    if (!stage) return text(`I cannot tell which phase to work on (phases: ${phases.join(', ')}).`);

    const prev = messages.at(-2);
    const prevStep = userText ? null : lastStep(prev);
    const cue = pending.find((m) => m.phase === stage.phase);
    if (prevStep === null && cue) {
      pending.splice(pending.indexOf(cue), 1);
      solver.fired.push(cue);
      return { content: [misbehaviour(cue, index)] };
    }
    const unit = stage.name ? `${stage.name} cluster of the ${stage.phase} phase` : `${stage.phase} phase`;
    if (prevStep === null || prevStep === 'misbehave') {
      return {
        content: [
          { type: 'text', text: `Writing the ${unit}: ${stage.files.join(', ')}.` },
          ...stage.files.map((file, n): ScriptedBlock => ({
            type: 'tool_use', id: `toolu_porter_${index}_write_${n}`, name: 'write',
            input: { path: prefix + file, content: fs.readFileSync(path.join(opts.solutionDir, file), 'utf8') },
          })),
        ],
      };
    }
    if (prevStep === 'write') {
      return { content: [{ type: 'tool_use', id: `toolu_porter_${index}_tests_0`, name: 'run_tests', input: { phase: stage.phase } }] };
    }
    const verdict = lastBlocks.find((b) => b.type === 'tool_result');
    const firstLine = String(typeof verdict?.content === 'string' ? verdict.content : JSON.stringify(verdict?.content ?? '')).split('\n')[0];
    return text(`Wrote ${stage.files.map((f) => prefix + f).join(', ')} for the ${unit}. run_tests: ${firstLine}`);
  }

  function currentStage(messages: any[], system: string): Stage | null {
    // The latest user text that names a stage decides; the phase seed in the system prompt is the fallback.
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i].role !== 'user') continue;
      const texts = (typeof messages[i].content === 'string' ? [messages[i].content] : messages[i].content.filter((b: any) => b.type === 'text').map((b: any) => b.text)) as string[];
      for (const t of texts.reverse()) {
        const found = stageOf(t, stages);
        if (found) return found;
      }
    }
    return stageOf(system, stages);
  }

  function misbehaviour(cue: Misbehaviour, index: number): ScriptedBlock {
    const id = `toolu_porter_${index}_misbehave_0`;
    switch (cue.kind) {
      case 'write-snapshot':
        return { type: 'tool_use', id, name: 'write', input: { path: cue.path ?? 'tests/snapshots/tampered.snap', content: 'the agent rewrote this snapshot\n' } };
      case 'escape':
        return { type: 'tool_use', id, name: 'write', input: { path: cue.path ?? '../escaped.txt', content: 'outside the workspace\n' } };
      case 'bad-argument':
        return { type: 'tool_use', id, name: 'write', input: { path: 42, text: 'no content field' } };
      case 'bad-json':
        return { type: 'tool_use', id, name: 'write', rawInput: '{"path": "x.mjs", "content": oops}' };
    }
  }

  return solver;
}

function text(t: string): ScriptedTurn {
  return { content: [{ type: 'text', text: t }] };
}

function systemText(body: any): string {
  if (typeof body.system === 'string') return body.system;
  return Array.isArray(body.system) ? body.system.map((b: any) => b.text ?? '').join('\n') : '';
}

function lastStep(message: any): string | null {
  if (message?.role !== 'assistant' || !Array.isArray(message.content)) return null;
  const use = [...message.content].reverse().find((b: any) => b.type === 'tool_use');
  return use ? (ID.exec(use.id)?.[1] ?? null) : null;
}

export function defaultPhaseOf(text: string, phases: string[]): string | null {
  const alt = phases.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const named = new RegExp(`\\bphase\\W{0,3}(${alt})\\b|\\b(${alt})\\W{0,3}phase\\b`, 'i').exec(text);
  if (named) return (named[1] ?? named[2])!.toLowerCase();
  const any = new RegExp(`\\b(${alt})\\b`, 'i').exec(text);
  return any ? any[1]!.toLowerCase() : null;
}

/** The cluster stage whose case ids (the part of its glob before `*`) the text names first. */
export function clusterStageOf(text: string, stages: Stage[]): Stage | null {
  let best: { stage: Stage; at: number } | null = null;
  for (const stage of stages) {
    const prefix = stage.cases?.split('*')[0];
    const at = prefix ? text.indexOf(prefix) : -1;
    if (at >= 0 && (best === null || at < best.at)) best = { stage, at };
  }
  return best?.stage ?? null;
}

export function defaultIsSummaryRequest(text: string): boolean {
  return /phase summary|summari[sz]e (this|the|what)/i.test(text);
}
