import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A source project with real git history, written by the test, and a port of it:
 *
 *   project/
 *     porter.config.yaml    phases `upper` (test_upper__upper@*) and `refs` (test_upper__refs@*,
 *                           with the extra files tests/refs/*); agent.workspace: port
 *     source/               a git repository with three commits (below)
 *     port/                 the workspace, its own git repository: a stdio adapter that
 *                           upper-cases its input (the "old" port drops `!`, as upstream once did)
 *
 * Commit 1 "Initial suite": a b c d e (upper), r1 (refs), tests/refs/base.txt.
 * Commit 2 "Add f; b shouts; c gets trailing spaces; d and e reformatted":
 *   f added; b's input and expected output change; c's input changes (its expected output
 *   does not); d's header changes (expression, assertion_line); e's body gains trailing blank
 *   lines only (insta ignores them).
 * Commit 3 "Remove a; new base template": a's snapshot and input removed; tests/refs/base.txt
 *   changed (r1's phase files).
 */

export interface SyncFixture {
  dir: string;
  source: string;
  port: string;
  /** Full hashes of commits 1, 2, 3. */
  revs: [string, string, string];
  dates: [string, string, string];
  write(rel: string, text: string): void;
  read(rel: string): string;
  git(cwd: string, args: string[]): string;
  /** The port as it was (drops `!`), or ported to the new behaviour. */
  usePort(kind: 'old' | 'new'): void;
  remove(): void;
}

export const SUBJECTS = ['Initial suite', 'Add f; b shouts; c gets trailing spaces; d and e reformatted', 'Remove a; new base template'] as const;
const DATES = ['2026-01-05T10:00:00Z', '2026-02-10T11:30:00Z', '2026-03-15T09:15:00Z'] as const;

export function snapFile(name: string, body: string, header: { expression?: string; assertion_line?: number } = {}): string {
  const lines = ['---', 'source: tests/test_upper.rs'];
  if (header.assertion_line !== undefined) lines.push(`assertion_line: ${header.assertion_line}`);
  lines.push(`expression: "${header.expression ?? 'upper(input)'}"`, `input_file: tests/inputs/${name}`, '---');
  return `${lines.join('\n')}\n${body}\n`;
}

const ADAPTER = (bang: boolean) => `
import readline from 'node:readline';
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const req = JSON.parse(line);
  const out = req.input.body.toUpperCase()${bang ? '' : ".replace(/!/g, '')"};
  process.stdout.write(JSON.stringify({ id: req.id, output: out }) + '\\n');
});
`;

export function gitIn(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Upstream', GIT_AUTHOR_EMAIL: 'up@example.com', GIT_COMMITTER_NAME: 'Upstream', GIT_COMMITTER_EMAIL: 'up@example.com', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function commitAll(cwd: string, subject: string, date: string): string {
  gitIn(cwd, ['add', '-A']);
  gitIn(cwd, ['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', subject], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
  return gitIn(cwd, ['rev-parse', 'HEAD']);
}

export function createSyncFixture(): SyncFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-sync-'));
  const write = (rel: string, text: string) => {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  const source = path.join(dir, 'source');
  const port = path.join(dir, 'port');
  const S = 'source/tests/snapshots';
  const I = 'source/tests/inputs';
  const upper = (name: string, input: string, body: string, header?: { expression?: string; assertion_line?: number }) => {
    write(`${I}/${name}`, input);
    write(`${S}/test_upper__upper@${name}.snap`, snapFile(name, body, header));
  };

  write(
    'porter.config.yaml',
    `source: source
snapshots: tests/snapshots/*.snap
phases:
  - name: upper
    cases: "test_upper__upper@*"
    inputs: tests/inputs
  - name: refs
    cases: "test_upper__refs@*"
    inputs: tests/inputs
    files: ["tests/refs/*"]
target:
  command: node adapter.mjs
  workers: 2
  timeout: 5s
  cwd: port
agent:
  workspace: port
`,
  );

  fs.mkdirSync(source, { recursive: true });
  gitIn(source, ['init', '-q']);
  upper('a.txt', 'alpha', 'ALPHA');
  upper('b.txt', 'bravo', 'BRAVO');
  upper('c.txt', 'charlie', 'CHARLIE');
  upper('d.txt', 'delta', 'DELTA', { assertion_line: 10 });
  upper('e.txt', 'echo', 'ECHO');
  write(`${I}/r1.txt`, 'romeo');
  write(`${S}/test_upper__refs@r1.txt.snap`, snapFile('r1.txt', 'ROMEO'));
  write('source/tests/refs/base.txt', '{% block body %}{% endblock %}\n');
  write('source/README.md', 'not part of the suite\n');
  const r1 = commitAll(source, SUBJECTS[0], DATES[0]);

  upper('f.txt', 'foxtrot', 'FOXTROT');
  upper('b.txt', 'bravo!', 'BRAVO!');
  write(`${I}/c.txt`, 'charlie  ');
  upper('d.txt', 'delta', 'DELTA', { assertion_line: 12, expression: 'upper(&input)' });
  write(`${S}/test_upper__upper@e.txt.snap`, snapFile('e.txt', 'ECHO\n\n'));
  const r2 = commitAll(source, SUBJECTS[1], DATES[1]);

  fs.rmSync(path.join(dir, S, 'test_upper__upper@a.txt.snap'));
  fs.rmSync(path.join(dir, I, 'a.txt'));
  write('source/tests/refs/base.txt', '<main>{% block body %}{% endblock %}</main>\n');
  write('source/README.md', 'still not part of the suite\n');
  const r3 = commitAll(source, SUBJECTS[2], DATES[2]);

  fs.mkdirSync(port, { recursive: true });
  gitIn(port, ['init', '-q']);
  write('port/adapter.mjs', ADAPTER(false));
  commitAll(port, 'port: initial', DATES[0]);

  return {
    dir,
    source,
    port,
    revs: [r1, r2, r3],
    dates: [...DATES],
    write,
    read: (rel) => fs.readFileSync(path.join(dir, rel), 'utf8'),
    git: gitIn,
    usePort(kind) {
      write('port/adapter.mjs', ADAPTER(kind === 'new'));
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
