import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import type { Drift } from '../../harness/sync/types.js';
import { commitAll, createSyncFixture, SUBJECTS, type SyncFixture } from './sync-fixture.js';

const B = 'test_upper__upper@b.txt';
const short = (rev: string) => rev.slice(0, 7);

async function driftJson(f: SyncFixture, args: string[]): Promise<{ code: number; drift: Drift; stderr: string }> {
  const r = await runCli(['sync', ...args, '--json'], f.dir);
  return { code: r.code, drift: JSON.parse(r.stdout) as Drift, stderr: r.stderr };
}

describe('porter sync: what changed between two source revisions', () => {
  let f: SyncFixture;
  beforeAll(() => {
    f = createSyncFixture();
  });
  afterAll(() => f.remove());

  it('puts every case in its bucket, with reasons, commits and diffs', async () => {
    const { code, drift } = await driftJson(f, ['--from', f.revs[0]]);
    expect(code).toBe(1);
    expect(drift.drift).toBe(true);
    expect(drift.from).toEqual({ rev: f.revs[0], short: short(f.revs[0]), date: '2026-01-05T10:00:00Z' });
    expect(drift.to).toEqual({ rev: f.revs[2], short: short(f.revs[2]), date: '2026-03-15T09:15:00Z' });
    expect(drift.added).toEqual([{ id: 'test_upper__upper@f.txt', phase: 'upper', commits: [short(f.revs[1])] }]);
    expect(drift.removed).toEqual([{ id: 'test_upper__upper@a.txt', phase: 'upper', commits: [short(f.revs[2])] }]);
    expect(drift.metadata_only).toEqual([
      { id: 'test_upper__upper@d.txt', phase: 'upper', fields: ['assertion_line', 'expression'] },
      { id: 'test_upper__upper@e.txt', phase: 'upper', fields: ['body'] },
    ]);
    expect(drift.changed.map((c) => [c.id, c.phase, c.reasons, c.commits])).toEqual([
      [B, 'upper', ['expected', 'input'], [short(f.revs[1])]],
      ['test_upper__upper@c.txt', 'upper', ['input'], [short(f.revs[1])]],
      ['test_upper__refs@r1.txt', 'refs', ['files'], [short(f.revs[2])]],
    ]);

    const [b, c, r1] = drift.changed;
    expect(b!.old_expected).toBe('BRAVO');
    expect(b!.new_expected).toBe('BRAVO!');
    expect(b!.diff).toBe(
      [
        `--- tests/snapshots/${B}.snap @ ${short(f.revs[0])}`,
        `+++ tests/snapshots/${B}.snap @ ${short(f.revs[2])}`,
        '@@ -1,1 +1,1 @@',
        '-BRAVO',
        '+BRAVO!',
      ].join('\n'),
    );
    expect(b!.input_diff).toContain('\n-bravo\n');
    expect(b!.input_diff).toContain('\n+bravo!\n');
    // Trailing spaces in an input are a real change, and the diff makes them visible.
    expect(c!.diff).toBe('');
    expect(c!.old_expected).toBe(c!.new_expected);
    expect(c!.input_diff).toContain('+charlie··');
    expect(r1!.changed_files).toEqual(['tests/refs/base.txt']);
    expect(r1!.input_diff).toBeUndefined();
  });

  it('lists the commits in between that touched the suite, newest first, as short hash and subject', async () => {
    const { drift } = await driftJson(f, ['--from', f.revs[0]]);
    expect(drift.commits).toEqual([
      { hash: short(f.revs[2]), subject: SUBJECTS[2] },
      { hash: short(f.revs[1]), subject: SUBJECTS[1] },
    ]);
    // A commit that touched only files outside the suite is not listed.
    f.write('source/README.md', 'docs only\n');
    f.git(f.source, ['commit', '-qam', 'Docs only']);
    try {
      const later = await driftJson(f, ['--from', f.revs[0]]);
      expect(later.drift.commits.map((k) => k.subject)).toEqual([SUBJECTS[2], SUBJECTS[1]]);
      const none = await driftJson(f, ['--from', f.revs[2]]);
      expect(none.drift.commits).toEqual([]);
    } finally {
      f.git(f.source, ['reset', '-q', '--hard', f.revs[2]]);
    }
  });

  it('compares any two revisions one step at a time', async () => {
    const first = (await driftJson(f, ['--from', f.revs[0], '--to', f.revs[1]])).drift;
    expect(first.added.map((c) => c.id)).toEqual(['test_upper__upper@f.txt']);
    expect(first.removed).toEqual([]);
    expect(first.changed.map((c) => c.id)).toEqual([B, 'test_upper__upper@c.txt']);
    expect(first.metadata_only.map((c) => c.id)).toEqual(['test_upper__upper@d.txt', 'test_upper__upper@e.txt']);
    expect(first.commits.map((k) => k.subject)).toEqual([SUBJECTS[1]]);

    const second = (await driftJson(f, ['--from', f.revs[1], '--to', f.revs[2]])).drift;
    expect(second.added).toEqual([]);
    expect(second.removed.map((c) => c.id)).toEqual(['test_upper__upper@a.txt']);
    expect(second.changed.map((c) => [c.id, c.reasons])).toEqual([['test_upper__refs@r1.txt', ['files']]]);
    expect(second.metadata_only).toEqual([]);

    // Branch and tag names work too, resolved in the source repository.
    f.git(f.source, ['tag', 'v1', f.revs[0]]);
    const tagged = (await driftJson(f, ['--from', 'v1', '--to', `${f.revs[1].slice(0, 10)}`])).drift;
    expect([tagged.from.rev, tagged.to.rev]).toEqual([f.revs[0], f.revs[1]]);

    // Backwards, it still compares, and says the range is reversed.
    const back = await driftJson(f, ['--from', f.revs[1], '--to', f.revs[0]]);
    expect(back.drift.removed.map((c) => c.id)).toEqual(['test_upper__upper@f.txt']);
    expect(back.stderr).toContain(`warning: --from ${short(f.revs[1])} is not an ancestor of --to ${short(f.revs[0])}`);
    expect((await driftJson(f, ['--from', f.revs[0], '--to', f.revs[1]])).stderr).not.toContain('not an ancestor');

    // From a revision before the suite existed (an empty tree), every case is added.
    const empty = f.git(f.source, ['commit-tree', '4b825dc642cb6eb9a060e54bf8d69288fbee4904', '-m', 'nothing yet']).trim();
    const fromNothing = await driftJson(f, ['--from', empty, '--to', f.revs[0]]);
    expect(fromNothing.code).toBe(1);
    expect(fromNothing.drift.added.length).toBeGreaterThan(0);
    expect(fromNothing.drift.removed).toEqual([]);
    expect(fromNothing.drift.changed).toEqual([]);
  });

  it('prints the buckets and diffs for people, and exits 0 when nothing is to port', async () => {
    const r = await runCli(['sync', '--from', f.revs[0]], f.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`porter sync: ${f.source} ${short(f.revs[0])} (2026-01-05) → ${short(f.revs[2])} (2026-03-15)`);
    expect(r.stdout).toContain(`  ${short(f.revs[1])} ${SUBJECTS[1]}`);
    expect(r.stdout).toMatch(/^changed \(3\):\n {2}test_upper__upper@b\.txt {2}\[upper\] {2}expected, input$/m);
    expect(r.stdout).toContain('metadata only, not drift (2):');
    expect(r.stdout).toContain('  -BRAVO\n  +BRAVO!');
    expect(r.stdout.trimEnd().split('\n').pop()).toBe(
      `porter sync: 1 added, 3 changed, 1 removed from ${short(f.revs[0])} to ${short(f.revs[2])} (2 metadata-only changes are not drift)`,
    );

    const same = await runCli(['sync', '--from', f.revs[2]], f.dir);
    expect(same.code).toBe(0);
    expect(same.stdout.trimEnd().split('\n').pop()).toBe(`porter sync: no drift from ${short(f.revs[2])} to ${short(f.revs[2])}`);
  });

  it('writes --json to a file and keeps the people-text on stdout', async () => {
    const r = await runCli(['sync', '--from', f.revs[1], '--to', f.revs[2], '--json', 'out/drift.json'], f.dir);
    expect(r.code).toBe(1);
    const written = JSON.parse(f.read('out/drift.json')) as Drift;
    expect(written.removed.map((c) => c.id)).toEqual(['test_upper__upper@a.txt']);
    expect(r.stdout).toContain('removed (1):');
    // A --json it cannot write is exit 2, whatever the drift.
    fs.writeFileSync(path.join(f.dir, 'blocker'), 'a file\n');
    const blocked = await runCli(['sync', '--from', f.revs[1], '--to', f.revs[2], '--json', 'blocker/drift.json'], f.dir);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(/^porter: --json: cannot write blocker\/drift\.json: /m);
  });

  it('fails in one line, exit 2, on a revision that does not exist', async () => {
    for (const [args, says] of [
      [['--from', 'nope'], '--from: revision nope does not exist'],
      [['--from', f.revs[0], '--to', 'deadbeef'], '--to: revision deadbeef does not exist'],
    ] as const) {
      const r = await runCli(['sync', ...args], f.dir);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(says);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('says when there is no revision to start from', async () => {
    const r = await runCli(['sync'], f.dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`no --from and no ${path.join(f.port, 'porter.upstream.json')}`);
  });

  it('--help tells the options and exit codes', async () => {
    const r = await runCli(['sync', '--help'], f.dir);
    expect(r.code).toBe(0);
    for (const flag of ['--from REV', '--to REV', '--json [FILE]', '--accept', '--config FILE']) expect(r.stdout).toContain(flag);
    const usage = await runCli(['sync', '--accept', '--from', 'x'], f.dir);
    expect(usage.code).toBe(2);
  });
});

describe('porter sync: a source that is not a git repository', () => {
  let f: SyncFixture;
  beforeAll(() => {
    f = createSyncFixture();
    fs.rmSync(path.join(f.source, '.git'), { recursive: true, force: true });
  });
  afterAll(() => f.remove());

  it('fails in one line with exit 2', async () => {
    const r = await runCli(['sync', '--from', 'HEAD~1'], f.dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`source ${f.source} is not inside a git repository`);
    const accept = await runCli(['sync', '--accept'], f.dir);
    expect(accept.code).toBe(2);
    expect(accept.stderr).toContain('is not inside a git repository');
  });
});

describe('porter sync: porter.upstream.json and --accept', () => {
  let f: SyncFixture;
  afterEach(() => f.remove());
  const upstreamJson = () => JSON.parse(f.read('port/porter.upstream.json')) as { rev: string; date: string; cases: number };

  it('defaults --from to porter.upstream.json and --to to HEAD, without touching the checkout', async () => {
    f = createSyncFixture();
    f.write('port/porter.upstream.json', JSON.stringify({ rev: f.revs[0], date: '2026-01-05T10:00:00Z', cases: 6 }));
    f.write('source/untracked-note.txt', 'someone works here\n');
    const statusBefore = f.git(f.source, ['status', '--porcelain']);
    const { code, drift, stderr } = await driftJson(f, []);
    expect(code).toBe(1);
    expect(drift.from.rev).toBe(f.revs[0]);
    expect(drift.to.rev).toBe(f.revs[2]);
    expect(stderr).toContain('has uncommitted changes; porter sync compares commits');
    expect(f.git(f.source, ['rev-parse', 'HEAD'])).toBe(f.revs[2]);
    expect(f.git(f.source, ['status', '--porcelain'])).toBe(statusBefore);
    // From the recorded revision, the drift is the port's pending work: the reports get it.
    const status = JSON.parse(f.read('reports/drift.json')) as { upstream: { rev: string }; counts: Record<string, number> };
    expect(status.upstream.rev).toBe(f.revs[0]);
    expect(status.counts).toEqual({ added: 1, removed: 1, changed: 3, metadataOnly: 2, commits: 2 });
  });

  it('an unreadable porter.upstream.json is a one-line error naming it', async () => {
    f = createSyncFixture();
    f.write('port/porter.upstream.json', '{"rev": "abc"}');
    const r = await runCli(['sync'], f.dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('porter.upstream.json: `rev` must be a full commit hash');
  });

  it('--accept refuses while cases fail, then records and commits --to once they pass', async () => {
    f = createSyncFixture();
    const refused = await runCli(['sync', '--accept', '--json', 'accept.json'], f.dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`porter sync --accept: 1 case fails at ${short(f.revs[2])} (2026-03-15); not accepted:`);
    expect(refused.stdout).toContain(`FAIL ${B} [upper]`);
    expect(fs.existsSync(path.join(f.port, 'porter.upstream.json'))).toBe(false);
    expect(JSON.parse(f.read('accept.json'))).toMatchObject({ accepted: false, failing: [{ id: B, phase: 'upper', status: 'fail' }] });

    f.usePort('new');
    f.git(f.port, ['commit', '-qam', 'port: shout']);
    const accepted = await runCli(['sync', '--accept'], f.dir);
    expect(accepted.code).toBe(0);
    expect(upstreamJson()).toEqual({ rev: f.revs[2], date: '2026-03-15T09:15:00Z', cases: 6 });
    expect(f.read('port/porter.upstream.json')).toBe(`{\n  "rev": "${f.revs[2]}",\n  "date": "2026-03-15T09:15:00Z",\n  "cases": 6\n}\n`);
    // Committed in the workspace, and nothing else with it.
    expect(f.git(f.port, ['status', '--porcelain'])).toBe('');
    expect(f.git(f.port, ['log', '-1', '--format=%s'])).toBe(`porter: source at ${short(f.revs[2])} accepted (6 cases pass)`);
    expect(f.git(f.port, ['show', '--name-only', '--format=', 'HEAD'])).toBe('porter.upstream.json');
    expect(accepted.stdout).toContain(`the port passes at ${short(f.revs[2])}; wrote port/porter.upstream.json, committed as`);

    const after = await runCli(['sync'], f.dir);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('no drift');
  });

  it('--accept sets skip-listed cases aside, and tests at --to rather than at the checkout', async () => {
    f = createSyncFixture();
    // The old port passes everything at the first commit, whatever the checkout holds.
    const old = await runCli(['sync', '--accept', '--to', f.revs[0]], f.dir);
    expect(old.code).toBe(0);
    expect(upstreamJson().rev).toBe(f.revs[0]);
    expect(upstreamJson().cases).toBe(6);

    f.write('skiplist/upper.txt', `${B}  # the port does not shout yet\n`);
    const skipped = await runCli(['sync', '--accept', '--json', '-'], f.dir);
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ accepted: true, upstream: { rev: f.revs[2], cases: 6 } });
    expect(upstreamJson().rev).toBe(f.revs[2]);
  });
});

describe('porter sync in the reports', () => {
  let f: SyncFixture;
  afterAll(() => f.remove());

  it('history records carry the source revision; latest.md and index.html show the matched revision and pending drift', async () => {
    f = createSyncFixture();
    f.usePort('new');
    expect((await runCli(['test'], f.dir)).code).toBe(0);
    const history = () => f.read('reports/history.jsonl').trim().split('\n').map((l) => JSON.parse(l) as { source?: { rev: string; dirty: boolean } });
    expect(history()[0]!.source).toEqual({ rev: f.revs[2], dirty: false });

    f.write('port/porter.upstream.json', JSON.stringify({ rev: f.revs[0], date: '2026-01-05T10:00:00Z', cases: 6 }));
    expect((await runCli(['sync'], f.dir)).code).toBe(1);
    const md = f.read('reports/latest.md');
    expect(md).toContain('## Upstream');
    expect(md).toContain(`The port matches source \`${f.revs[0].slice(0, 10)}\` (2026-01-05 10:00 UTC) · latest run tested source \`${f.revs[2].slice(0, 10)}\``);
    expect(md).toContain(`**Pending drift: 1 added, 3 changed, 1 removed** up to \`${f.revs[2].slice(0, 10)}\``);
    const html = f.read('reports/index.html');
    // Each case links to its row in the dashboard.
    const anchor = new RegExp(`id="(case-\\d+)" class="case"[^>]*data-id="${B.replace(/[.@]/g, '\\$&')}"`).exec(html)![1]!;
    expect(md).toContain(`[\`${B}\`](index.html#${anchor}) (upper: expected, input)`);
    expect(html).toContain('<section class="card" id="upstream">');
    expect(html).toContain(`<a href="#${anchor}"><code>${B}</code></a>`);
    // The removed case is not in the dashboard any more: listed, not linked.
    expect(md).toContain('- Removed (1): `test_upper__upper@a.txt` (upper)');

    expect((await runCli(['sync', '--accept'], f.dir)).code).toBe(0);
    const accepted = f.read('reports/latest.md');
    expect(accepted).toContain(`The port matches source \`${f.revs[2].slice(0, 10)}\``);
    expect(accepted).toContain('No pending drift');

    f.write('source/tests/inputs/f.txt', 'changed in the checkout');
    await runCli(['test'], f.dir);
    expect(history().at(-1)!.source).toEqual({ rev: f.revs[2], dirty: true });
    expect(f.read('reports/latest.md')).toContain('with uncommitted changes');
  });
});

describe('porter sync: a case whose input is gone upstream', () => {
  it('is changed, and says it cannot run any more, as porter list would', async () => {
    const f = createSyncFixture();
    try {
      fs.rmSync(path.join(f.source, 'tests', 'inputs', 'b.txt'));
      commitAll(f.source, 'Drop the input of b', '2026-04-01T00:00:00Z');
      const r = await runCli(['sync', '--from', f.revs[2], '--json', '-'], f.dir);
      const drift = JSON.parse(r.stdout) as Drift;
      const b = drift.changed.find((c) => c.id === B)!;
      expect(b.reasons).toEqual(['input']);
      expect(b.problem).toMatch(/^input file not found/);
      const human = await runCli(['sync', '--from', f.revs[2]], f.dir);
      expect(human.stdout).toMatch(/CHANGED test_upper__upper@b\.txt \[upper\]: input.*\n {2}cannot run at \w+: input file not found/);
    } finally {
      f.remove();
    }
  });
});
