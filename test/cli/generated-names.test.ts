// porter init, list and test on a generator-named suite (fixtures/generated-names), through the
// built CLI as a real process.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ListedCase } from '../../harness/cli/list-command.js';
import { ensureBuilt } from '../support/built-dist.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'dist/harness/cli/bin.js');
const source = path.join(repo, 'fixtures/generated-names/source');
const STALE = ['snapshot__eval_stdout_removed.calc', 'snapshot__format_stdout_old_style.calc'];
const RUST_CODE = 'snapshot__cli_version';
const BRACKETS = 'snapshot__eval_stdout_regress[42].calc';

function porter(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env.PATH, CI: 'true' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Every snapshot id of the fixture with the input file its name embeds, found by hand. */
function expectedInputs(): Map<string, string | null> {
  const inputs = path.join(source, 'tests/snapshot/inputs');
  const byName = new Map<string, string>();
  for (const folder of fs.readdirSync(inputs)) {
    for (const f of fs.readdirSync(path.join(inputs, folder))) byName.set(f, `tests/snapshot/inputs/${folder}/${f}`);
  }
  const ids = fs.readdirSync(path.join(source, 'tests/snapshot/snapshots')).map((n) => n.slice(0, -'.snap'.length));
  return new Map(ids.map((id) => [id, byName.get(id.replace(/^snapshot__[a-z-]+_(stdout|stderr)_/, '')) ?? null]));
}

let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-generated-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a generator-named suite through the built CLI', () => {
  it('porter init writes input rules that map every case that has a file', async () => {
    const r = await porter(['init', '--source', source], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('input_rules (snapshot names that embed their input file\'s name): 28 cases mapped to an input file, 2 without input, 0 ambiguous');
    expect(r.stdout).toContain(`without input (the rule matches, no file does: stale snapshots?): ${STALE.join(', ')}`);
    expect(r.stdout).toContain(`left out (no input files): ${RUST_CODE} (1 snapshot: input is Rust code)`);

    const config = parse(fs.readFileSync(path.join(dir, 'porter.config.yaml'), 'utf8'), { schema: 'core' }) as { phases: Array<{ name: string; cases: string[]; input_rules: unknown }> };
    // One phase per subcommand, never all in one; in porting order.
    expect(config.phases.map((p) => [p.name, p.cases])).toEqual([
      ['dump-ast', ['snapshot__dump-ast_*']],
      ['check', ['snapshot__check_*']],
      ['eval', ['snapshot__eval_*']],
      ['format', ['snapshot__format_*']],
    ]);
    expect(config.phases.find((p) => p.name === 'eval')!.input_rules).toEqual([
      { match: '^snapshot__(?<part1>eval)_(?<stream>stderr|stdout)_(?<file>.+)$', path: 'tests/snapshot/inputs/**/{file}' },
    ]);
  });

  it('porter list shows each input found by rule 1, the stale cases flagged, the Rust-code one apart', async () => {
    const r = await porter(['list', '--json'], dir);
    expect(r.code).toBe(0);
    const listing = JSON.parse(r.stdout) as { cases: ListedCase[]; unassigned: string[]; rustCode: string[] };
    const expected = expectedInputs();
    const withFile = [...expected].filter(([, input]) => input !== null);
    expect(withFile).toHaveLength(28);
    for (const [id, input] of withFile) {
      expect(listing.cases.find((c) => c.id === id)).toMatchObject({ input, via: 'rule 1', problem: null, rustCode: false });
    }
    expect(listing.cases.find((c) => c.id === BRACKETS)!.params).toEqual({ part1: 'eval', stream: 'stdout', file: 'regress[42].calc' });
    for (const id of STALE) expect(listing.cases.find((c) => c.id === id)).toMatchObject({ input: null, via: null, problem: expect.stringMatching(/^input file not found: .*stale snapshot/) });
    expect(listing.cases).toHaveLength(30);
    expect(listing.unassigned).toEqual([RUST_CODE]);
    expect(listing.rustCode).toEqual([RUST_CODE]);

    const text = await porter(['list', '--phase', 'eval'], dir);
    expect(text.stdout).toMatch(/^eval \(14 cases\)$/m);
    expect(text.stdout).toContain(`  ${BRACKETS}  <- tests/snapshot/inputs/eval/regress[42].calc  (rule 1)`);
    expect(text.stdout).toContain(`  ${RUST_CODE}  (no input file: Rust code)`);
    expect(text.stdout).toContain('input is Rust code, no input file: 1 snapshot(s) (0 in phases, 1 not in any phase)');
    expect(text.stderr).toContain('warning: snapshot__eval_stdout_removed.calc: input file not found');
    expect(text.stderr).not.toMatch(new RegExp(`warning: ${RUST_CODE}:`));
  });

  it('sends params and header_raw, and --baseline / --update-skiplist write ids with brackets so they read back literally', async () => {
    // An adapter that answers each case with its snapshot's body, except the ids in fail.txt.
    fs.writeFileSync(
      path.join(dir, 'adapter.mjs'),
      `import fs from 'node:fs';
import readline from 'node:readline';
const [source] = process.argv.slice(2);
const failing = new Set(fs.readFileSync('fail.txt', 'utf8').split('\\n').filter(Boolean));
for await (const line of readline.createInterface({ input: process.stdin })) {
  const req = JSON.parse(line);
  fs.appendFileSync('requests.jsonl', JSON.stringify({ id: req.id, params: req.params, header_raw: req.input?.header_raw }) + '\\n');
  const snap = fs.readFileSync(source + '/' + req.snapshot.path, 'utf8');
  const body = snap.slice(snap.indexOf('\\n---\\n') + 5);
  process.stdout.write(JSON.stringify({ id: req.id, output: failing.has(req.id) ? 'wrong' : body }) + '\\n');
}
`,
    );
    const configPath = path.join(dir, 'porter.config.yaml');
    const yaml = fs.readFileSync(configPath, 'utf8').replace(/command: "REPLACE[^"]*"/, `command: ${JSON.stringify(['node', 'adapter.mjs', source])}`);
    fs.writeFileSync(configPath, yaml);
    fs.writeFileSync(path.join(dir, 'fail.txt'), `${BRACKETS}\nsnapshot__dump-ast_stdout_tree.calc\n`);

    const first = await porter(['test', '--baseline', '--no-report'], dir);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('porter: 26 passed, 4 failed');
    const evalSkips = fs.readFileSync(path.join(dir, 'skiplist/eval.txt'), 'utf8');
    expect(evalSkips).toContain('snapshot__eval_stdout_regress\\[42\\].calc  # fail:');
    expect(evalSkips).toContain('snapshot__eval_stdout_removed.calc  # error: input file not found');
    expect(fs.readFileSync(path.join(dir, 'skiplist/dump-ast.txt'), 'utf8')).toContain('snapshot__dump-ast_stdout_tree.calc  # fail:');

    const requests = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; params: unknown; header_raw: unknown });
    expect(requests.find((q) => q.id === 'snapshot__check_stderr_bad_char.calc')).toEqual({
      id: 'snapshot__check_stderr_bad_char.calc',
      params: { part1: 'check', stream: 'stderr', file: 'bad_char.calc' },
      header_raw: null,
    });

    const parked = await porter(['test', '--no-report', '--json', '-'], dir);
    expect(parked.code).toBe(0);
    const statuses = new Map((JSON.parse(parked.stdout) as { cases: Array<{ id: string; status: string }> }).cases.map((c) => [c.id, c.status]));
    expect(statuses.get(BRACKETS)).toBe('skip');
    expect([...statuses.values()].filter((s) => s === 'skip')).toHaveLength(4);

    fs.writeFileSync(path.join(dir, 'fail.txt'), '');
    const fixed = await porter(['test', '--update-skiplist', '--no-report'], dir);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('skip-list: 2 skip entries for passing cases removed (skiplist/dump-ast.txt, skiplist/eval.txt)');
    const after = fs.readFileSync(path.join(dir, 'skiplist/eval.txt'), 'utf8');
    expect(after).not.toContain('regress');
    expect(after).toContain('snapshot__eval_stdout_removed.calc');
    expect((await porter(['test', '--no-report'], dir)).stdout).toContain('porter: 28 passed, 0 failed, 2 skipped\n');
  });
});
