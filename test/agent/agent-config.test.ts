import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { modelFor, readAgentConfig } from '../../harness/agent/agent-config.js';
import { loadWorkspaceConfig, makeWorkspace, type Workspace } from './workspace-fixture.js';

let ws: Workspace | undefined;
afterEach(() => ws?.cleanup());

async function read(agent: Record<string, unknown> | undefined) {
  ws = makeWorkspace(agent ? { agent } : {});
  return readAgentConfig(await loadWorkspaceConfig(ws.configPath));
}

describe('agent config', () => {
  it('fills every default when the section is absent', async () => {
    const r = await read(undefined);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.agent).toMatchObject({
      backend: 'anthropic',
      model: 'claude-sonnet-5-5',
      phases: {},
      commandTimeoutMs: 30 * 60_000,
      workspace: ws!.dir,
      stall: 5,
      resetAfter: 3,
      allowSkip: false,
      noRead: [],
      bashTimeoutS: 300,
      limits: {},
    });
    expect(r.agent.prices['claude-sonnet-5-5']).toBeDefined();
  });

  it('reads every key', async () => {
    const r = await read({
      backend: 'command',
      model: 'claude-opus-5-5',
      phases: { parser: { model: 'claude-fable-5-2', guidance: 'keep the AST shape' } },
      command: ['pi', '--print', '@{prompt_file}'],
      timeout: '20m',
      workspace: 'target',
      stall: 3,
      reset_after: 2,
      allow_skip: true,
      no_read: ['../orig/src/**'],
      prices: { 'claude-opus-5-5': { output: 22 } },
      context_window: 1_000_000,
      compact_at: 0.7,
      max_output_tokens: 32000,
      bash_timeout: '2m',
      budget_usd: 25,
      max_tokens: 3_000_000,
      max_hours: 8,
      max_iterations: 100,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const a = r.agent;
    expect(a).toMatchObject({
      backend: 'command', model: 'claude-opus-5-5', command: ['pi', '--print', '@{prompt_file}'], commandTimeoutMs: 20 * 60_000,
      workspace: path.join(ws!.dir, 'target'), stall: 3, resetAfter: 2, allowSkip: true, noRead: [path.join(ws!.dir, '../orig/src/**')],
      contextWindow: 1_000_000, compactAt: 0.7, maxOutputTokens: 32000, bashTimeoutS: 120,
      limits: { budgetUsd: 25, maxTokens: 3_000_000, maxHours: 8, maxIterations: 100 },
    });
    expect(a.prices['claude-opus-5-5']?.output).toBe(22);
    expect(modelFor(a, 'parser')).toBe('claude-fable-5-2');
    expect(modelFor(a, 'lexer')).toBe('claude-opus-5-5');
  });

  it('reports every problem with its key path', async () => {
    const r = await read({
      backend: 'codex',
      phases: { lexer: { modle: 'x' }, typer: { model: 'x' } },
      stall: 0,
      allow_skip: 'yes',
      compact_at: 80,
      timeout: 'soon',
      prices: { 'claude-opus-5-5': { input: 'cheap' } },
      budget: 10,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.message.split('\n').map((l) => l.slice(ws!.configPath.length + 2));
    expect(lines).toEqual([
      'agent.budget: unknown key; did you mean "budget_usd"?',
      'agent.backend: "codex" is not a backend (anthropic, command)',
      'agent.phases.lexer.modle: unknown key (known keys: model, guidance)',
      'agent.phases.typer: there is no phase "typer" (phases: lexer, parser, runtime)',
      'agent.timeout: "soon" is not a positive duration (e.g. 10s, 500ms, 2m, 1h, or milliseconds as a number)',
      'agent.stall: expected a positive whole number, got 0',
      'agent.allow_skip: expected true or false, got "yes"',
      'agent.prices["claude-opus-5-5"].input: expected a price in USD per million tokens (a number, 0 or more), got "cheap"',
      'agent.compact_at: expected a share of the context window between 0 and 1 (e.g. 0.8), got 80',
    ]);
  });

  it('requires a command for the command backend, and a price for every model of the built-in one', async () => {
    const cmd = await read({ backend: 'command' });
    expect(cmd.ok).toBe(false);
    if (!cmd.ok) expect(cmd.message).toMatch(/agent\.command: is required with backend: command/);
    ws!.cleanup();
    const unknown = await read({ model: 'claude-mythos-preview' });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.message).toMatch(/model claude-mythos-preview has no price: add agent\.prices\.claude-mythos-preview/);
    ws!.cleanup();
    const priced = await read({ model: 'claude-mythos-preview', prices: { 'claude-mythos-preview': { input: 25, output: 125 } } });
    expect(priced.ok).toBe(true);
    ws!.cleanup();
    // A command agent's spending is its own; no price needed.
    expect((await read({ backend: 'command', command: 'codex exec', model: 'gpt-x' })).ok).toBe(true);
  });
});
