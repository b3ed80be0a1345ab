import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createMiniProject } from '../support/mini-project.js';
import type { RunResult } from '../../harness/run/types.js';

const healthy = {
  'a.txt': { input: 'hello', expected: 'HELLO' },
  'b.txt': { input: 'tab\there', expected: 'TAB\tHERE' },
  'wrong.txt': { input: 'abc', expected: 'ABD' },
};

describe('porter test', () => {
  it('exits 1 with a table, the first diff and a closing line when a case fails', async () => {
    const p = createMiniProject(healthy);
    const r = await runCli(['test', '--no-report'], p.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^phase\s+cases\s+pass\s+fail/m);
    expect(r.stdout).toMatch(/^upper\s+3\s+2\s+1\b/m);
    expect(r.stdout).toContain('FAIL test_upper__upper@wrong.txt [upper]');
    expect(r.stdout).toContain('-ABD');
    expect(r.stdout).toContain('+ABC');
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('porter: 2 passed, 1 failed');
  });

  it('exits 0 when the failure is skip-listed, and --strict fails on a stale entry', async () => {
    const p = createMiniProject(healthy);
    p.write('skiplist/upper.txt', 'test_upper__upper@wrong.txt  # D is not C\ntest_upper__upper@gone.txt  # deleted case\n');
    const r = await runCli(['test', '--no-report'], p.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 skip-list entry matches no case');
    expect(r.stdout).toContain('test_upper__upper@gone.txt');
    const strict = await runCli(['test', '--no-report', '--strict'], p.dir);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('--strict: unexpected passes or stale skip entries fail the run');
    expect(strict.stdout.trimEnd().split('\n').pop()).toBe('porter: 2 passed, 0 failed, 1 skipped');
  });

  it('--baseline parks failures with reasons, --update-skiplist removes entries that pass again', async () => {
    const p = createMiniProject(healthy);
    const base = await runCli(['test', '--no-report', '--baseline'], p.dir);
    expect(base.stdout).toContain('1 failing case added');
    const list = p.read('skiplist/upper.txt');
    expect(list).toMatch(/^test_upper__upper@wrong\.txt\s+# fail: /m);
    expect((await runCli(['test', '--no-report'], p.dir)).code).toBe(0);

    // The port gets fixed: the snapshot now agrees, so the case is an unexpected pass.
    p.write('source/tests/inputs/wrong.txt', 'abd');
    const xpass = await runCli(['test', '--no-report'], p.dir);
    expect(xpass.stdout).toContain('1 skipped case now passes');
    const upd = await runCli(['test', '--no-report', '--update-skiplist'], p.dir);
    expect(upd.code).toBe(0);
    expect(p.read('skiplist/upper.txt')).not.toContain('wrong.txt');
  });

  it('--json - writes the whole result model to stdout and keeps people-text on stderr', async () => {
    const p = createMiniProject(healthy);
    const r = await runCli(['test', '--no-report', '--json'], p.dir);
    const result = JSON.parse(r.stdout) as RunResult;
    expect(result.cases.map((c) => c.status).sort()).toEqual(['fail', 'pass', 'pass']);
    const failed = result.cases.find((c) => c.status === 'fail')!;
    expect(failed).toMatchObject({ phase: 'upper', facet: 'output', inputPath: 'tests/inputs/wrong.txt' });
    expect(failed.diff).toContain('-ABD');
    expect(r.stderr).toContain('porter: 2 passed, 1 failed');
  });

  it('--filter and --phase select cases; a filter that matches nothing is a usage error', async () => {
    const p = createMiniProject(healthy);
    const r = await runCli(['test', '--no-report', '--filter', '*@a.txt', '--phase', 'upper'], p.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('porter: 1 passed, 0 failed');
    const none = await runCli(['test', '--no-report', '--filter', 'nope*'], p.dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--filter "nope*" matches no case');
    const phase = await runCli(['test', '--no-report', '--phase', 'runtime'], p.dir);
    expect(phase.code).toBe(2);
    expect(phase.stderr).toContain('unknown phase "runtime"');
  });

  it('a hang, a crash and garbage are statuses of their cases; the rest of the run goes on', async () => {
    const p = createMiniProject({
      ...healthy,
      'hang.txt': { input: 'x', expected: 'X' },
      'crash.txt': { input: 'x', expected: 'X' },
      'garbage.txt': { input: 'x', expected: 'X' },
    });
    const r = await runCli(['test', '--no-report', '--json', 'out/result.json'], p.dir);
    expect(r.code).toBe(1);
    const result = JSON.parse(p.read('out/result.json')) as RunResult;
    const status = Object.fromEntries(result.cases.map((c) => [c.id.split('@')[1], c.status]));
    expect(status).toEqual({ 'a.txt': 'pass', 'b.txt': 'pass', 'wrong.txt': 'fail', 'hang.txt': 'timeout', 'crash.txt': 'crash', 'garbage.txt': 'error' });
    expect(result.cases.find((c) => c.status === 'crash')!.stderrTail).toContain('adapter: boom on crash.txt');
  });

  it('a target command that cannot start is one message and exit 2', async () => {
    const p = createMiniProject(healthy);
    p.write('porter.config.yaml', p.read('porter.config.yaml').replace('node adapter.mjs', 'no-such-porter-target --serve'));
    const r = await runCli(['test', '--no-report'], p.dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('"no-such-porter-target" not found (target.command in porter.config.yaml)');
    expect(r.stdout).toBe('');
    // The message names the config file in use.
    p.write('other.yaml', p.read('porter.config.yaml'));
    const other = await runCli(['test', '--no-report', '--config', 'other.yaml'], p.dir);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('"no-such-porter-target" not found (target.command in other.yaml)');
  });

  it('writes JUnit, the history and the reports unless --no-report', async () => {
    const p = createMiniProject(healthy);
    const r = await runCli(['test', '--junit', 'junit.xml'], p.dir);
    expect(r.code).toBe(1);
    expect(p.read('junit.xml')).toMatch(/<testsuite [^>]*name="upper"[^>]*tests="3"/);
    expect(p.read('reports/history.jsonl').trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(p.dir, 'reports/latest.md'))).toBe(true);
    expect(fs.existsSync(path.join(p.dir, 'reports/index.html'))).toBe(true);
  });

  it('exits 2 when --json, --junit or the reports cannot be written, saying which and why, the closing line still last', async () => {
    const p = createMiniProject(healthy);
    p.write('blocker', 'a file where a folder should be\n');
    for (const args of [['--json', 'blocker/out.json', '--no-report'], ['--junit', 'blocker/junit.xml', '--no-report']]) {
      const r = await runCli(['test', ...args], p.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^porter: ${args[0]}: cannot write blocker/\\w+\\.\\w+: a file stands where a folder of its path should be \\(EEXIST\\)$`, 'm'));
      expect(r.stdout.trimEnd().split('\n').pop()).toBe('porter: 2 passed, 1 failed');
    }
    p.write('porter.config.yaml', `${p.read('porter.config.yaml')}\nreports: { dir: blocker/reports }\n`);
    const r = await runCli(['test'], p.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^porter: cannot write the reports in .*blocker\/reports: .* \(ENOTDIR\); fix reports\.dir in porter\.config\.yaml, or pass --no-report$/m);
  });

  it('appends the Markdown summary to GITHUB_STEP_SUMMARY', async () => {
    const p = createMiniProject(healthy);
    const summary = path.join(p.dir, 'step-summary.md');
    fs.writeFileSync(summary, '# earlier step\n');
    await runCli(['test'], p.dir, { GITHUB_STEP_SUMMARY: summary });
    const text = fs.readFileSync(summary, 'utf8');
    expect(text.startsWith('# earlier step\n')).toBe(true);
    expect(text).toContain('upper');
  });
});

describe('bad input', () => {
  it('a missing config names the file and what to do', async () => {
    const p = createMiniProject(healthy);
    const r = await runCli(['test', '--config', 'nope.yaml'], p.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.yaml');
    expect(r.stderr).toContain('porter init');
  });

  it('an unknown flag and an unknown command are usage errors', async () => {
    const p = createMiniProject(healthy);
    expect((await runCli(['test', '--frobnicate'], p.dir)).code).toBe(2);
    const r = await runCli(['tset'], p.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "tset"');
  });

  it('a snapshot whose input file is missing is an error case and a warning in list, not a failed run', async () => {
    const p = createMiniProject(healthy);
    fs.rmSync(path.join(p.dir, 'source/tests/inputs/a.txt'));
    const r = await runCli(['test', '--no-report', '--json', '-'], p.dir);
    const result = JSON.parse(r.stdout) as RunResult;
    expect(result.cases.find((c) => c.id.endsWith('@a.txt'))).toMatchObject({ status: 'error' });
    const list = await runCli(['list'], p.dir);
    expect(list.code).toBe(0);
    expect(list.stderr).toMatch(/warning: test_upper__upper@a\.txt: .*a\.txt/);
  });
});
