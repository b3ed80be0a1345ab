/**
 * `porter agent --sync` end to end: a source project in a real git repository whose second
 * commit adds a setting (one case changed, one added, one removed), a port that passed at the
 * first commit, and the built-in agent against the fake Messages API. The agent is shown what
 * changed upstream, the harness judges its fix, and the new revision is recorded.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentCommand } from '../../harness/cli/agent-command.js';
import type { CliIO } from '../../harness/cli/io.js';
import { startFakeAnthropic, type FakeAnthropic, type ScriptItem } from '../support/fake-anthropic.js';
import { exampleDir, makeWorkspace, solutionDir, type Workspace } from './workspace-fixture.js';

let ws: Workspace | undefined;
let api: FakeAnthropic | undefined;
let src: string | undefined;
afterEach(async () => {
  ws?.cleanup();
  await api?.close();
  if (src) fs.rmSync(src, { recursive: true, force: true });
  ws = api = src = undefined;
});

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();

const SNAP = (description: string, info: string, body: string) => `---\nsource: tests/test_eval.rs\ndescription: ${JSON.stringify(description)}\ninfo:\n${info}---\n${body}\n`;

/** The example's source in a repository of its own; the second commit adds an `upper` setting upstream. */
function sourceRepo(): { dir: string; rev1: string; rev2: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-sync-src-'));
  fs.cpSync(path.join(exampleDir, 'source'), dir, { recursive: true });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'calc as the port knows it');
  const rev1 = git(dir, 'rev-parse', 'HEAD');

  const snaps = path.join(dir, 'tests', 'snapshots');
  fs.writeFileSync(path.join(dir, 'tests', 'inputs', 'settings.txt'), '{"a": 1, "b": 2, "c": 3, "$settings": {"separator": ", ", "upper": true}}\n---\nprint a, b, c;\nprint "x", "y";\n');
  fs.writeFileSync(
    path.join(snaps, 'test_eval__eval@settings.txt.snap'),
    SNAP('print a, b, c;\nprint "x", "y";', '  $settings:\n    separator: ", "\n    upper: true\n  a: 1\n  b: 2\n  c: 3\n', '1, 2, 3\nX, Y'),
  );
  fs.writeFileSync(path.join(dir, 'tests', 'inputs', 'upper.txt'), '{"name": "calc", "$settings": {"upper": true}}\n---\nprint "hello " + name;\n');
  fs.writeFileSync(path.join(snaps, 'test_eval__eval@upper.txt.snap'), SNAP('print "hello " + name;', '  $settings:\n    upper: true\n  name: calc\n', 'HELLO CALC'));
  fs.rmSync(path.join(snaps, 'test_lexer__lexer@empty.txt.snap'));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Add the upper setting: print in capitals');
  return { dir, rev1, rev2: git(dir, 'rev-parse', 'HEAD') };
}

/** The runtime as the agent fixes it: `$settings.upper` prints in capitals. */
function fixedRuntime(): string {
  const text = fs.readFileSync(path.join(solutionDir, 'runtime.mjs'), 'utf8');
  const fixed = text
    .replace("let separator = ' ';", "let separator = ' ';\n  let upper = false;")
    .replace("if (typeof value?.separator === 'string') separator = value.separator;", "if (typeof value?.separator === 'string') separator = value.separator;\n      if (value?.upper === true) upper = true;")
    .replace(".join(separator) + '\\n';", ".join(separator)[upper ? 'toUpperCase' : 'toString']() + '\\n';");
  expect(fixed).not.toBe(text);
  return fixed;
}

function io(env: NodeJS.ProcessEnv): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), isTTY: false, env, cwd: ws!.dir };
}

const userTexts = (body: any): string[] =>
  (body.messages as any[]).filter((m) => m.role === 'user').flatMap((m) => (typeof m.content === 'string' ? [m.content] : m.content.filter((b: any) => b.type === 'text').map((b: any) => b.text)));

describe('porter agent --sync', () => {
  it('shows the agent what changed upstream, judges its fix, and records the new revision', async () => {
    const repo = sourceRepo();
    src = repo.dir;
    ws = makeWorkspace({ solved: ['lexer', 'parser', 'runtime'], extra: { source: repo.dir } });
    fs.writeFileSync(path.join(ws.dir, 'porter.upstream.json'), `${JSON.stringify({ rev: repo.rev1, date: '2026-01-01T00:00:00Z', cases: 42 }, null, 2)}\n`);
    const tasks: string[] = [];
    api = await startFakeAnthropic({
      responder: (body): ScriptItem => {
        const last = body.messages.at(-1);
        if (Array.isArray(last.content) && last.content.some((b: any) => b.type === 'tool_result')) return { content: [{ type: 'text', text: 'The runtime prints in capitals when $settings.upper is set.' }] };
        const text = userTexts(body).join('\n');
        if (/Write the phase summary/.test(text)) return { content: [{ type: 'text', text: 'Summary of runtime: upper setting in runtime.mjs.' }] };
        tasks.push(text);
        return { content: [{ type: 'tool_use', name: 'write', input: { path: 'target/runtime.mjs', content: fixedRuntime() } }] };
      },
    });
    const cli = io({ ...process.env, CI: '1', ANTHROPIC_API_KEY: 'sk-ant-test-0123456789', ANTHROPIC_BASE_URL: api.url });
    const code = await agentCommand(['--sync', '--json', '-'], cli);
    const err = cli.err.join('');
    expect(code, err).toBe(0);
    expect(JSON.parse(cli.out.join(''))).toMatchObject({ status: 'all-pass', failing: [] });

    expect(err).toContain(`upstream ${repo.rev1.slice(0, 7)} → ${repo.rev2.slice(0, 7)}: 1 added, 1 changed, 1 removed`);
    expect(err).toContain('removed upstream (reported, not deleted): test_lexer__lexer@empty.txt');
    // The one work task: what changed upstream, before the failures, with the commit and both outputs.
    expect(tasks).toHaveLength(1);
    const task = tasks[0]!;
    expect(task).toContain('## What changed upstream');
    expect(task).toContain('Add the upper setting: print in capitals');
    expect(task).toMatch(/Added upstream \(1\)[^\n]*test_eval__eval@upper\.txt/);
    expect(task).toMatch(/Changed upstream \(1\)/);
    expect(task).toContain('X, Y');
    expect(task.indexOf('## What changed upstream')).toBeLessThan(task.indexOf('Failing cases of "runtime"'));

    const upstream = JSON.parse(fs.readFileSync(path.join(ws.dir, 'porter.upstream.json'), 'utf8'));
    expect(upstream).toMatchObject({ rev: repo.rev2, cases: 42 });
    const subjects = git(ws.dir, 'log', '--format=%s').split('\n');
    expect(subjects[0]).toBe(`porter: source at ${repo.rev2.slice(0, 7)} passes (42 cases)`);
    expect(subjects[1]).toMatch(/^porter: runtime 16\/16 \(\+2\), iteration 1$/);
    expect(git(ws.dir, 'status', '--porcelain')).toBe('');
  });

  it('refuses to start without a revision to compare from, in one line', async () => {
    ws = makeWorkspace({ solved: ['lexer'] });
    const cli = io({ ...process.env, CI: '1', ANTHROPIC_API_KEY: 'sk-ant-test-0123456789', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' });
    const code = await agentCommand(['--sync'], cli);
    expect(code).toBe(2);
    const err = cli.err.join('').trim();
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toMatch(/porter\.upstream\.json/);
    // Advice the agent command can follow: it has no --from of its own.
    expect(err).toContain('porter sync --accept');
    expect(err).not.toContain('pass --from');
  });
});
