import path from 'node:path';
import { readCommand } from '../config/command.js';
import { DURATION_HINT, parseDuration } from '../config/duration.js';
import { child, isMapping, mapping, oneOf, present, Problems, show, string, stringList, type Mapping } from '../config/fields.js';
import type { PorterConfig } from '../config/types.js';
import { allListPrices, BACKEND_NAMES, BACKENDS, DEFAULT_BACKEND } from './backends.js';
import { priceTable, unpriced, type PriceOverride, type PriceTable } from './pricing.js';

/**
 * The `agent` section of `porter.config.yaml`, validated and resolved. Every problem is
 * reported at once, each with its key path (`agent.phases.parser.model: ...`).
 */

export interface PhaseAgentConfig {
  model?: string;
  guidance?: string;
}

export interface AgentLimits {
  budgetUsd?: number;
  maxTokens?: number;
  maxHours?: number;
  maxIterations?: number;
}

export interface AgentConfig {
  /** A name in the backend registry (harness/agent/backends.ts). */
  backend: string;
  model: string;
  phases: Record<string, PhaseAgentConfig>;
  /** The command agent's argv; `{prompt_file}`, where present, becomes the task file's path. */
  command?: string[];
  /** Wall-clock limit of one command-agent iteration. */
  commandTimeoutMs: number;
  /** Absolute: the target's folder and git repository. */
  workspace: string;
  /** Iterations without a larger passing count before the run stops. */
  stall: number;
  /** Tries with regressions before the workspace is reset to the last green commit. */
  resetAfter: number;
  allowSkip: boolean;
  /** Absolute globs the built-in tools may not read (clean-room mode). */
  noRead: string[];
  prices: PriceTable;
  /** The model's context window in tokens, and the share of it at which to compact. */
  contextWindow?: number;
  compactAt?: number;
  maxOutputTokens?: number;
  /** Default timeout of the built-in bash tool, in seconds. */
  bashTimeoutS: number;
  limits: AgentLimits;
  /**
   * The git remote a parallel run's workers on other machines push their results to and
   * fetch the green line from: a bare repository's path (absolute) or an ssh or https URL.
   */
  remote?: string;
}

export const AGENT_KEYS = [
  'backend', 'model', 'phases', 'command', 'timeout', 'workspace', 'stall', 'reset_after', 'allow_skip', 'no_read', 'prices',
  'context_window', 'compact_at', 'max_output_tokens', 'bash_timeout', 'budget_usd', 'max_tokens', 'max_hours', 'max_iterations',
  'remote',
] as const;
const PHASE_KEYS = ['model', 'guidance'];
const PRICE_KEYS = ['input', 'output', 'cache_read', 'cache_write'];

export const DEFAULT_STALL = 5;
export const DEFAULT_RESET_AFTER = 3;
const DEFAULT_COMMAND_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_BASH_TIMEOUT_S = 300;

export type AgentConfigResult = { ok: true; agent: AgentConfig } | { ok: false; message: string };

function positiveNumber(v: unknown, at: string, p: Problems, integer: boolean): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v))) return v;
  p.add(at, `expected a positive ${integer ? 'whole number' : 'number'}, got ${show(v)}`);
  return undefined;
}

function share(v: unknown, at: string, p: Problems): number | undefined {
  if (typeof v === 'number' && v > 0 && v < 1) return v;
  p.add(at, `expected a share of the context window between 0 and 1 (e.g. 0.8), got ${show(v)}`);
  return undefined;
}

function readPhases(v: unknown, at: string, p: Problems, known: string[]): Record<string, PhaseAgentConfig> {
  const out: Record<string, PhaseAgentConfig> = {};
  if (!isMapping(v)) {
    p.add(at, `expected a mapping of phase name to {model, guidance}, got ${show(v)}`);
    return out;
  }
  for (const [name, raw] of Object.entries(v)) {
    const here = child(at, name);
    if (!known.includes(name)) {
      p.add(here, `there is no phase "${name}" (phases: ${known.join(', ')})`);
      continue;
    }
    const m = mapping(raw, here, p, PHASE_KEYS);
    if (!m) continue;
    const phase: PhaseAgentConfig = {};
    if (present(m.model)) phase.model = string(m.model, child(here, 'model'), p);
    if (present(m.guidance)) phase.guidance = string(m.guidance, child(here, 'guidance'), p);
    out[name] = phase;
  }
  return out;
}

function readPrices(v: unknown, at: string, p: Problems): Record<string, PriceOverride> {
  const out: Record<string, PriceOverride> = {};
  if (!isMapping(v)) {
    p.add(at, `expected a mapping of model to {input, output, cache_read, cache_write} in USD per million tokens, got ${show(v)}`);
    return out;
  }
  for (const [model, raw] of Object.entries(v)) {
    const here = child(at, model);
    const m = mapping(raw, here, p, PRICE_KEYS);
    if (!m) continue;
    const o: PriceOverride = {};
    const num = (key: string) => {
      if (!present(m[key])) return undefined;
      const n = m[key];
      if (typeof n === 'number' && Number.isFinite(n) && n >= 0) return n;
      p.add(child(here, key), `expected a price in USD per million tokens (a number, 0 or more), got ${show(n)}`);
      return undefined;
    };
    const [input, output, cacheRead, cacheWrite] = [num('input'), num('output'), num('cache_read'), num('cache_write')];
    if (input !== undefined) o.input = input;
    if (output !== undefined) o.output = output;
    if (cacheRead !== undefined) o.cacheRead = cacheRead;
    if (cacheWrite !== undefined) o.cacheWrite = cacheWrite;
    out[model] = o;
  }
  return out;
}

/** Validates `config.agent` (absent means every default). */
export function readAgentConfig(config: PorterConfig): AgentConfigResult {
  const p = new Problems(config.configPath);
  const raw: unknown = config.agent ?? {};
  const m: Mapping = mapping(raw, 'agent', p, AGENT_KEYS) ?? {};
  const at = (key: string) => child('agent', key);
  const phaseNames = config.phases.map((ph) => ph.name);

  const backend = (present(m.backend) ? oneOf(m.backend, at('backend'), p, 'backend', BACKEND_NAMES) : undefined) ?? DEFAULT_BACKEND;
  const spec = BACKENDS[backend]!;
  const defaultModel = spec.defaultModel ?? BACKENDS[DEFAULT_BACKEND]!.defaultModel!;
  const model = present(m.model) ? string(m.model, at('model'), p) ?? defaultModel : defaultModel;
  const phases = present(m.phases) ? readPhases(m.phases, at('phases'), p, phaseNames) : {};

  let command: string[] | undefined;
  if (present(m.command)) {
    const c = readCommand(m.command);
    if (!c.ok) p.add(at('command'), c.message);
    else command = c.argv;
  } else if (spec.needsCommand) {
    p.add(at('command'), `is required with backend: ${backend}; the task comes on stdin and in a file named by {prompt_file}, e.g. command: claude -p --dangerously-skip-permissions`);
  }

  const duration = (key: string, fallback: number): number => {
    if (!present(m[key])) return fallback;
    const ms = parseDuration(m[key]);
    if (ms === null || ms <= 0) {
      p.add(at(key), `${show(m[key])} is not a positive duration (${DURATION_HINT})`);
      return fallback;
    }
    return ms;
  };
  const commandTimeoutMs = duration('timeout', DEFAULT_COMMAND_TIMEOUT_MS);
  const bashTimeoutS = Math.max(1, Math.round(duration('bash_timeout', DEFAULT_BASH_TIMEOUT_S * 1000) / 1000));

  const workspaceRaw = present(m.workspace) ? string(m.workspace, at('workspace'), p) : undefined;
  const workspace = path.resolve(config.configDir, workspaceRaw ?? '.');

  const opt = (key: string, integer: boolean) => (present(m[key]) ? positiveNumber(m[key], at(key), p, integer) : undefined);
  const stall = opt('stall', true) ?? DEFAULT_STALL;
  const resetAfter = opt('reset_after', true) ?? DEFAULT_RESET_AFTER;
  let allowSkip = false;
  if (present(m.allow_skip)) {
    if (typeof m.allow_skip === 'boolean') allowSkip = m.allow_skip;
    else p.add(at('allow_skip'), `expected true or false, got ${show(m.allow_skip)}`);
  }
  const noRead = (present(m.no_read) ? stringList(m.no_read, at('no_read'), p, false) ?? [] : []).map((g) =>
    path.isAbsolute(g) ? g : path.join(config.configDir, g),
  );

  const overrides = present(m.prices) ? readPrices(m.prices, at('prices'), p) : {};
  const table = priceTable(spec.prices ?? allListPrices(), overrides);
  let prices: PriceTable = {};
  if (!table.ok) p.add('', table.message);
  else {
    prices = table.table;
    if (spec.prices) {
      const models = [model, ...Object.values(phases).map((ph) => ph.model).filter((x): x is string => x !== undefined)];
      const missing = unpriced(prices, models);
      if (missing) p.add('', missing);
    }
  }

  const agent: AgentConfig = {
    backend,
    model,
    phases,
    ...(command ? { command } : {}),
    commandTimeoutMs,
    workspace,
    stall,
    resetAfter,
    allowSkip,
    noRead,
    prices,
    bashTimeoutS,
    limits: {},
  };
  if (present(m.remote)) {
    const r = string(m.remote, at('remote'), p);
    if (r !== undefined) agent.remote = isRemoteUrl(r) ? r : path.resolve(config.configDir, r);
  }
  if (present(m.context_window)) agent.contextWindow = positiveNumber(m.context_window, at('context_window'), p, true);
  if (present(m.compact_at)) agent.compactAt = share(m.compact_at, at('compact_at'), p);
  if (present(m.max_output_tokens)) agent.maxOutputTokens = positiveNumber(m.max_output_tokens, at('max_output_tokens'), p, true);
  const limit = (key: string, integer: boolean, set: (n: number) => void) => {
    const n = opt(key, integer);
    if (n !== undefined) set(n);
  };
  limit('budget_usd', false, (n) => (agent.limits.budgetUsd = n));
  limit('max_tokens', true, (n) => (agent.limits.maxTokens = n));
  limit('max_hours', false, (n) => (agent.limits.maxHours = n));
  limit('max_iterations', true, (n) => (agent.limits.maxIterations = n));

  if (p.lines.length > 0) return { ok: false, message: p.lines.join('\n') };
  return { ok: true, agent };
}

/** An ssh, https, git or file URL, or scp-like `host:path`, as git takes them; anything else is a path. */
function isRemoteUrl(r: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(r) || /^[^/\\:]+@[^:]+:/.test(r);
}

/** The model for a phase: its override, else the agent's. */
export function modelFor(agent: AgentConfig, phase: string): string {
  return agent.phases[phase]?.model ?? agent.model;
}
