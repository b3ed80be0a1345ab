// The command backend with scripted agent programs (real node processes in a temp workspace).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandPrompt, createCommandBackend, readTail, substitutePromptFile } from '../../harness/agent/command/backend.js';
import { writeCommandSolver } from '../support/fake-anthropic-command.js';
import { FixedPriceBudget, iterationContext, MemorySession, TempDirTools } from '../support/fake-anthropic-kit.js';

let root: string;
let workspace: string;
let outputDir: string;
let tools: TempDirTools;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-command-'));
  workspace = path.join(root, 'ws');
  outputDir = path.join(root, 'out');
  fs.mkdirSync(workspace);
  tools = new TempDirTools();
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  tools.cleanup();
});

/** Writes a node script (the "agent") and returns its path. */
function agent(name: string, source: string): string {
  const file = path.join(root, name);
  fs.writeFileSync(file, source);
  return file;
}

function ctx(over: Partial<Parameters<typeof iterationContext>[0]> = {}) {
  const session = new MemorySession();
  return { session, ctx: iterationContext({ tools, session, budget: new FixedPriceBudget(), seed: 'Phase lexer: port the lexer.', message: 'Make lexer/a pass.', ...over }) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(pred: () => boolean, ms = 3000): Promise<boolean> {
  for (let t = 0; t < ms; t += 25) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return pred();
}

describe('command backend', () => {
  it('gives the task in the prompt file and on stdin, runs in the workspace, saves the output', async () => {
    const script = agent('solver.mjs', `
      import fs from 'node:fs';
      const promptFile = process.argv[2].slice('--prompt='.length);
      const fromFile = fs.readFileSync(promptFile, 'utf8');
      let stdin = '';
      for await (const chunk of process.stdin) stdin += chunk;
      fs.writeFileSync('lexer.mjs', 'export const lex = () => [];\\n');
      fs.writeFileSync('seen.json', JSON.stringify({ fromFile, stdin, env: process.env.PORTER_PROMPT_FILE === promptFile }));
      console.log('wrote lexer.mjs');
      console.error('a warning on stderr');
      process.exit(3);
    `);
    const backend = createCommandBackend({ command: [process.execPath, script, '--prompt={prompt_file}'], cwd: workspace, timeoutMs: 20_000, outputDir });
    const { session, ctx: c } = ctx();
    const result = await backend.runIteration(c);

    const seen = JSON.parse(fs.readFileSync(path.join(workspace, 'seen.json'), 'utf8'));
    expect(seen.fromFile).toBe('Phase lexer: port the lexer.\n\nMake lexer/a pass.');
    expect(seen.stdin).toBe(seen.fromFile);
    expect(seen.env).toBe(true);
    expect(fs.existsSync(path.join(workspace, 'lexer.mjs'))).toBe(true);

    // The exit code is recorded but decides nothing: the harness re-runs the suite.
    expect(result).toMatchObject({ stop: 'done', costUsd: 0, toolCalls: 0 });
    expect(result.finalText).toContain('wrote lexer.mjs');
    const [run] = session.ofType('command-run');
    expect(run).toMatchObject({ iteration: 1, exitCode: 3, timedOut: false });
    expect(run!.command[2]).toBe(`--prompt=${path.join(outputDir, 'iteration-0001.prompt.md')}`);
    const output = fs.readFileSync(run!.outputFile, 'utf8');
    expect(output).toContain('wrote lexer.mjs');
    expect(output).toContain('a warning on stderr');
  });

  it('kills the whole process group at the timeout, SIGKILL when SIGTERM is ignored', async () => {
    const pidFile = path.join(root, 'child.pid');
    const script = agent('hang.mjs', `
      import { spawn } from 'node:child_process';
      import fs from 'node:fs';
      process.on('SIGTERM', () => {});
      const child = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      fs.writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
      console.log('working forever');
      setInterval(() => {}, 1000);
    `);
    const backend = createCommandBackend({ command: [process.execPath, script], cwd: workspace, timeoutMs: 2500, killGraceMs: 300, outputDir });
    const { session, ctx: c } = ctx();
    const result = await backend.runIteration(c);

    expect(result.stop).toBe('timeout');
    expect(result.error).toMatch(/timeout/);
    expect(session.ofType('command-run')[0]).toMatchObject({ timedOut: true, exitCode: null });
    const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(await waitUntil(() => !alive(grandchild))).toBe(true);
    expect(result.finalText).toContain('working forever');
  });

  it('stops when the run is aborted', async () => {
    const script = agent('slow.mjs', `setInterval(() => {}, 1000);`);
    const backend = createCommandBackend({ command: [process.execPath, script], cwd: workspace, timeoutMs: 20_000, killGraceMs: 300, outputDir });
    const controller = new AbortController();
    const { ctx: c } = ctx({ signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    expect((await backend.runIteration(c)).stop).toBe('aborted');
  });

  it('reports a missing program in one clear line', async () => {
    const backend = createCommandBackend({ command: ['porter-no-such-agent-cli', '{prompt_file}'], cwd: workspace, timeoutMs: 5000, outputDir });
    const { session, ctx: c } = ctx();
    const result = await backend.runIteration(c);
    expect(result.stop).toBe('error');
    expect(result.error).toBe('agent command not found: porter-no-such-agent-cli — install it or fix agent.command in porter.config.yaml');
    expect(session.ofType('command-run')).toHaveLength(1);
  });

  it('numbers prompt and output files by iteration', async () => {
    const script = agent('echo.mjs', `console.log(process.env.PORTER_ITERATION, process.env.PORTER_PHASE)`);
    const backend = createCommandBackend({ command: [process.execPath, script], cwd: workspace, timeoutMs: 20_000, outputDir });
    await backend.runIteration(ctx().ctx);
    const result = await backend.runIteration(ctx({ iteration: 2, phase: 'parser' }).ctx);
    expect(result.finalText.trim()).toBe('2 parser');
    expect(fs.readdirSync(outputDir).sort()).toEqual([
      'iteration-0001.output.txt', 'iteration-0001.prompt.md', 'iteration-0002.output.txt', 'iteration-0002.prompt.md',
    ]);
  });
});

describe('scripted command solver', () => {
  it('writes the solution of the phase its task names, tampering on cue', async () => {
    const solutionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/example/solution');
    fs.writeFileSync(path.join(workspace, 'protected.snap'), 'original\n');
    const script = writeCommandSolver(path.join(root, 'solver.mjs'), { solutionDir, tamper: { phase: 'parser', path: 'protected.snap' }, exitCode: 1 });
    const backend = createCommandBackend({ command: [process.execPath, script], cwd: workspace, timeoutMs: 20_000, outputDir });

    const lexer = await backend.runIteration(ctx({ seed: 'Phase lexer.', message: 'Make the lexer phase pass.' }).ctx);
    expect(lexer.stop).toBe('done');
    expect(fs.readdirSync(workspace).sort()).toEqual(['adapter.mjs', 'lexer.mjs', 'protected.snap']);
    expect(fs.readFileSync(path.join(workspace, 'protected.snap'), 'utf8')).toBe('original\n');

    const parser = await backend.runIteration(ctx({ iteration: 2, phase: 'parser', seed: 'Current phase: parser.', message: '3 cases fail.' }).ctx);
    expect(parser.finalText).toContain('tampered with protected.snap');
    expect(fs.readFileSync(path.join(workspace, 'parser.mjs'), 'utf8')).toBe(fs.readFileSync(path.join(solutionDir, 'parser.mjs'), 'utf8'));
    expect(fs.readFileSync(path.join(workspace, 'protected.snap'), 'utf8')).toBe('tampered by the agent\n');
  });
});

describe('command backend helpers', () => {
  it('substitutes the prompt file wherever the placeholder appears', () => {
    expect(substitutePromptFile(['pi', '-p', '@{prompt_file}', '{prompt_file}'], '/tmp/p.md')).toEqual(['pi', '-p', '@/tmp/p.md', '/tmp/p.md']);
  });

  it('prefixes the seed, which a command agent cannot remember', () => {
    expect(commandPrompt({ seed: 'Seed.\n', message: 'Task.' })).toBe('Seed.\n\nTask.');
    expect(commandPrompt({ seed: '  ', message: 'Task.' })).toBe('Task.');
  });

  it('reads the tail of a large file', () => {
    const file = path.join(root, 'big.txt');
    fs.writeFileSync(file, 'a'.repeat(100_000) + 'THE END');
    expect(readTail(file, 10)).toBe('aaaTHE END');
    expect(readTail(path.join(root, 'missing.txt'), 10)).toBe('');
  });
});
