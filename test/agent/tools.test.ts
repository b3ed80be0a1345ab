import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ToolSetOptions } from '../../harness/agent/tools/tool.js';
import { BUILTIN_TOOLS } from '../../harness/agent/tools/registry.js';
import { agentEnv, createToolSet } from '../../harness/agent/tools/tool-set.js';
import { createGuard } from '../../harness/agent/workspace-guard.js';
import type { ToolResult, ToolSet } from '../../harness/agent/types.js';

let ws: string;
let tools: ToolSet;
let testCalls: Array<[string | undefined, string | undefined]>;
let skipped: Array<[string, string]>;

function make(extra: Partial<ToolSetOptions> = {}): ToolSet {
  return createToolSet({
    guard: createGuard({
      workspace: ws,
      readOnly: [{ pattern: path.join(ws, 'tests'), what: 'the snapshots' }],
    }),
    runTests: async (phase, filter) => {
      testCalls.push([phase, filter]);
      return `lexer: 3/4 pass`;
    },
    ...extra,
  });
}

beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-tools-'));
  fs.mkdirSync(path.join(ws, 'tests'));
  fs.writeFileSync(path.join(ws, 'tests', 'a.snap'), 'expected\n');
  testCalls = [];
  skipped = [];
  tools = make();
});

afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

/** A killed child may linger as a zombie until reaped; that counts as gone. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (!alive(pid)) return true;
    await new Promise((res) => setTimeout(res, 50));
  }
  return !alive(pid);
}

const run = (name: string, input: unknown): Promise<ToolResult> => tools.execute(name, input);

describe('tool definitions', () => {
  it('offers exactly the contract tools with JSON schemas', () => {
    expect(tools.definitions.map((d) => d.name)).toEqual(['read', 'write', 'edit', 'bash', 'run_tests']);
    const edit = tools.definitions.find((d) => d.name === 'edit')!;
    expect(edit.input_schema.required).toEqual(['path', 'old_text', 'new_text']);
    expect(Object.keys(edit.input_schema.properties)).toEqual(['path', 'old_text', 'new_text']);
    const read = tools.definitions.find((d) => d.name === 'read')!;
    expect(read.input_schema.properties.offset).toMatchObject({ type: 'integer', minimum: 1 });
  });

  it('keeps every tool\'s documented name and arguments, each tool from the registry', () => {
    const all = make({ skip: { refuse: () => null, skipCase: async () => ({ content: 'ok', isError: false }) } });
    const shape = Object.fromEntries(all.definitions.map((d) => [d.name, [Object.keys(d.input_schema.properties), d.input_schema.required ?? []]]));
    expect(shape).toEqual({
      read: [['path', 'offset', 'limit'], ['path']],
      write: [['path', 'content'], ['path', 'content']],
      edit: [['path', 'old_text', 'new_text'], ['path', 'old_text', 'new_text']],
      bash: [['command', 'timeout_s'], ['command']],
      run_tests: [['phase', 'filter'], []],
      skip_case: [['id', 'reason'], ['id', 'reason']],
    });
    expect(BUILTIN_TOOLS.map((t) => t.name)).toEqual(Object.keys(shape));
    // The default bash timeout the run was given is what the model is told.
    expect(make({ bashTimeoutS: 42 }).definitions.find((d) => d.name === 'bash')!.description).toMatch(/\(default 42\)/);
  });

  it('offers skip_case only when skipping is allowed', async () => {
    expect((await run('skip_case', { id: 'x', reason: 'y' })).content).toMatch(/not enabled.*allow_skip/);
    const withSkip = make({ skip: { refuse: () => null, skipCase: async () => ({ content: 'ok', isError: false }) } });
    expect(withSkip.definitions.map((d) => d.name)).toContain('skip_case');
  });
});

describe('bad arguments', () => {
  it('are checked against the schema the model is shown, one line naming the tool and the argument', async () => {
    const write = tools.definitions.find((d) => d.name === 'write')!;
    expect(write.input_schema).toMatchObject({ type: 'object', required: ['path', 'content'], additionalProperties: false });
    expect(await run('write', { path: 'a.txt' })).toEqual({ content: 'write: missing required field "content" (string)', isError: true });
    expect(await run('write', { path: '', content: 'x' })).toEqual({ content: 'write: field "path" must not be empty', isError: true });
    expect(await run('read', { path: 'a', limit: 0 })).toEqual({ content: 'read: field "limit" must be at least 1, got 0', isError: true });
    expect(await run('bash', { command: 'true', timeout_s: 'soon' })).toEqual({ content: 'bash: field "timeout_s" must be a number, got string "soon"', isError: true });
    expect(await run('run_tests', { phase: ['lexer'] })).toEqual({ content: 'run_tests: field "phase" must be a string, got an array', isError: true });
    expect(await run('edit', { path: 'a', old_text: 'x', new_text: 'y', replace_all: true })).toEqual({
      content: 'edit: unknown field "replace_all" (fields: path, old_text, new_text)',
      isError: true,
    });
    expect(await run('read', null)).toEqual({ content: 'read: arguments must be an object, got null', isError: true });
    for (const r of [await run('write', { content: 1 }), await run('edit', {})]) expect(r.content).not.toContain('\n');
    // An optional argument sent as null counts as left out.
    fs.writeFileSync(path.join(ws, 'n.txt'), 'one\n');
    expect(await run('read', { path: 'n.txt', offset: null, limit: null })).toEqual({ content: 'one', isError: false });
    expect(testCalls).toEqual([]);
  });

  it('name the field and never throw', async () => {
    expect(await run('write', { path: 'a.txt' })).toEqual({ content: expect.stringMatching(/missing required field "content"/), isError: true });
    expect((await run('read', { path: 3 })).content).toMatch(/field "path" must be a string/);
    expect((await run('read', { path: 'a', offset: 1.5 })).content).toMatch(/"offset" must be a whole number/);
    expect((await run('read', { path: 'a', offset: 0 })).content).toMatch(/"offset" must be at least 1/);
    expect((await run('bash', { command: 'true', timeout_s: '10' })).content).toMatch(/"timeout_s" must be a number/);
    expect((await run('edit', 'nonsense')).content).toMatch(/arguments must be an object/);
    expect((await run('edit', { path: 'a', old_text: 'x', new_text: 'y', extra: 1 })).content).toMatch(/unknown field "extra"/);
    expect((await run('frobnicate', {})).content).toMatch(/unknown tool "frobnicate"; the tools are: read, write/);
  });
});

describe('read / write / edit', () => {
  it('writes, reads back and creates folders', async () => {
    expect(await run('write', { path: 'src/deep/a.txt', content: 'one\ntwo\n' })).toEqual({ content: 'wrote 8 bytes to src/deep/a.txt', isError: false });
    expect(fs.readFileSync(path.join(ws, 'src/deep/a.txt'), 'utf8')).toBe('one\ntwo\n');
    expect(await run('read', { path: 'src/deep/a.txt' })).toEqual({ content: 'one\ntwo', isError: false });
    expect((await run('write', { path: 'empty.txt', content: '' })).isError).toBe(false);
  });

  it('pages through long files by line', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`);
    fs.writeFileSync(path.join(ws, 'long.txt'), lines.join('\n') + '\n');
    const r = await run('read', { path: 'long.txt', offset: 3, limit: 2 });
    expect(r.content).toBe('line 3\nline 4\n[lines 3-4 of 10 in long.txt; continue with offset=5]');
    expect((await run('read', { path: 'long.txt', offset: 9 })).content).toBe('line 9\nline 10\n[lines 9-10 of 10 in long.txt]');
    expect((await run('read', { path: 'long.txt', offset: 11 })).content).toMatch(/has 10 lines; offset 11 is past the end/);
  });

  it('reports missing files, directories and binaries as results', async () => {
    expect(await run('read', { path: 'nope.txt' })).toEqual({ content: 'nope.txt: no such file', isError: true });
    fs.mkdirSync(path.join(ws, 'dir'));
    fs.writeFileSync(path.join(ws, 'dir', 'x'), '');
    expect((await run('read', { path: 'dir' })).content).toBe('dir is a directory with 1 entries:\nx');
    fs.writeFileSync(path.join(ws, 'bin'), Buffer.from([1, 0, 2]));
    expect((await run('read', { path: 'bin' })).content).toMatch(/binary file/);
  });

  it('edits when old_text matches exactly once and says how many matched otherwise', async () => {
    fs.writeFileSync(path.join(ws, 'a.go'), 'foo\nbar\nfoo\n');
    expect((await run('edit', { path: 'a.go', old_text: 'foo', new_text: 'x' })).content).toMatch(/matches 2 times/);
    expect((await run('edit', { path: 'a.go', old_text: 'baz', new_text: 'x' })).content).toMatch(/not found.*0 matches/);
    expect(await run('edit', { path: 'a.go', old_text: 'bar\n', new_text: '$& $1\n' })).toEqual({ content: 'edited a.go at line 2', isError: false });
    expect(fs.readFileSync(path.join(ws, 'a.go'), 'utf8')).toBe('foo\n$& $1\nfoo\n');
  });

  it('reports each refused path to the harness with its code, the whole path kept', async () => {
    const seen: Array<[string, string, string]> = [];
    const t = make({ onRefusal: (tool, refusal) => void seen.push([tool, refusal.code, refusal.path]) });
    expect((await t.execute('write', { path: 'tests/my case.snap', content: 'x' })).content).toMatch(/^tests are read-only to the agent: tests\/my case\.snap belongs to the snapshots/);
    await t.execute('edit', { path: '../out side.txt', old_text: 'a', new_text: 'b' });
    await t.execute('read', { path: '../out side.txt' });
    await t.execute('write', { path: 'fine.txt', content: 'x' });
    expect(seen).toEqual([
      ['write', 'protected-test', path.join(ws, 'tests', 'my case.snap')],
      ['edit', 'outside-workspace', path.join(path.dirname(ws), 'out side.txt')],
      ['read', 'outside-workspace', path.join(path.dirname(ws), 'out side.txt')],
    ]);
  });

  it('refuses writes and edits to the tests and outside the workspace', async () => {
    const w = await run('write', { path: 'tests/a.snap', content: 'hacked' });
    expect(w.isError).toBe(true);
    expect(w.content).toMatch(/tests are read-only to the agent/);
    expect((await run('edit', { path: 'tests/a.snap', old_text: 'expected', new_text: 'x' })).content).toMatch(/read-only/);
    expect(fs.readFileSync(path.join(ws, 'tests', 'a.snap'), 'utf8')).toBe('expected\n');
    expect((await run('write', { path: '../escape.txt', content: 'x' })).content).toMatch(/outside the workspace/);
    expect(fs.existsSync(path.join(ws, '..', 'escape.txt'))).toBe(false);
  });
});

describe('bash', () => {
  it('runs in the workspace with the exit code and both streams', async () => {
    const r = await run('bash', { command: 'pwd; echo out; echo err >&2; exit 3' });
    expect(r.isError).toBe(true);
    expect(r.content).toBe(`${fs.realpathSync(ws)}\nout\nerr\n\n[exit code 3]`);
    expect((await run('bash', { command: 'true' })).content).toBe('(no output)\n[exit code 0]');
  });

  it('kills the command and its children on timeout', async () => {
    const pidFile = path.join(ws, 'child.pid');
    const r = await run('bash', { command: `sleep 60 & echo $! > ${pidFile}; echo started; wait`, timeout_s: 1 });
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/started\n\n\[timed out after 1s; the command and its children were killed\]/);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(await goneWithin(pid, 5000)).toBe(true);
  });

  it('cuts long output to head and tail and saves the whole of it', async () => {
    const r = await run('bash', { command: 'for i in $(seq 1 20000); do echo "line $i"; done' });
    expect(r.isError).toBe(false);
    expect(r.content.startsWith('line 1\nline 2\n')).toBe(true);
    expect(r.content).toMatch(/line 20000\n/);
    expect(r.content).toMatch(/bytes omitted/);
    const m = /full output in (\.porter\/outputs\/\S+)\]/.exec(r.content);
    expect(m).not.toBeNull();
    const full = fs.readFileSync(path.join(ws, m![1]!), 'utf8');
    expect(full.split('\n')).toHaveLength(20001);
    expect(r.content.length).toBeLessThan(35_000);
  });

  it('does not show the API key to the agent', async () => {
    const t = make({ env: agentEnv({ ...process.env, ANTHROPIC_API_KEY: 'sk-ant-secret' }) });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, for bash to read
    const r = await t.execute('bash', { command: 'echo "key=${ANTHROPIC_API_KEY:-none}"' });
    expect(r.content).toMatch(/^key=none/);
  });

  it('is aborted by a signal', async () => {
    const ctl = new AbortController();
    const p = tools.execute('bash', { command: 'sleep 30' }, ctl.signal);
    setTimeout(() => ctl.abort(), 200);
    expect((await p).content).toMatch(/aborted/);
  });
});

describe('run_tests and skip_case', () => {
  it('passes phase and filter to the harness and returns its verdict', async () => {
    expect(await run('run_tests', { phase: 'lexer', filter: 'test_lexer__*' })).toEqual({ content: 'lexer: 3/4 pass', isError: false });
    expect(await run('run_tests', {})).toMatchObject({ isError: false });
    expect(testCalls).toEqual([['lexer', 'test_lexer__*'], [undefined, undefined]]);
  });

  it('a harness error becomes an error result', async () => {
    const t = make({ runTests: async () => { throw new Error('target command not found'); } });
    expect(await t.execute('run_tests', {})).toEqual({ content: 'run_tests failed: target command not found', isError: true });
  });

  it('skips only cases the hooks allow, with a reason', async () => {
    const t = make({
      skip: {
        refuse: (id) => (id === 'prot' ? 'case prot is protected: it can never be skipped' : null),
        skipCase: async (id, reason) => {
          skipped.push([id, reason]);
          return { content: `skipped ${id}`, isError: false };
        },
      },
    });
    expect(await t.execute('skip_case', { id: 'prot', reason: 'hard' })).toEqual({ content: 'case prot is protected: it can never be skipped', isError: true });
    expect((await t.execute('skip_case', { id: 'x' })).content).toMatch(/missing required field "reason"/);
    expect(await t.execute('skip_case', { id: 'x', reason: ' platform differs ' })).toEqual({ content: 'skipped x', isError: false });
    expect(skipped).toEqual([['x', 'platform differs']]);
  });
});
