import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway source project in insta's shape plus a Node stdio target, written to a
 * temp dir. The target upper-cases its input; inputs named `hang*`, `crash*`, `garbage*`
 * make it misbehave so fault handling can be seen end to end.
 */
export interface MiniProject {
  dir: string;
  write(rel: string, text: string): void;
  read(rel: string): string;
}

export function snap(inputFile: string, body: string): string {
  return `---\nsource: tests/test_upper.rs\nexpression: "upper(input)"\ninput_file: tests/inputs/${inputFile}\n---\n${body}\n`;
}

const ADAPTER = `
import readline from 'node:readline';
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const req = JSON.parse(line);
  const name = req.input.path.split('/').pop();
  if (name.startsWith('hang')) return;
  if (name.startsWith('crash')) { process.stderr.write('adapter: boom on ' + name + '\\n'); process.exit(3); }
  if (name.startsWith('garbage')) { process.stdout.write('this is not json\\n'); return; }
  if (name.startsWith('err')) {
    process.stdout.write(JSON.stringify({ id: req.id, output: '!!!ERROR!!!\\n\\nsyntax error: unexpected end of the input (in ' + name + ':1)\\n' }) + '\\n');
    return;
  }
  process.stdout.write(JSON.stringify({ id: req.id, output: req.input.body.toUpperCase() }) + '\\n');
});
`;

export function createMiniProject(cases: Record<string, { input: string; expected: string }>, configExtra = ''): MiniProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-mini-'));
  const project: MiniProject = {
    dir,
    write(rel, text) {
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    },
    read: (rel) => fs.readFileSync(path.join(dir, rel), 'utf8'),
  };
  for (const [name, c] of Object.entries(cases)) {
    project.write(`source/tests/inputs/${name}`, c.input);
    project.write(`source/tests/snapshots/test_upper__upper@${name}.snap`, snap(name, c.expected));
  }
  project.write('target/adapter.mjs', ADAPTER);
  project.write(
    'porter.config.yaml',
    `source: source
snapshots: tests/snapshots/*.snap
phases:
  - name: upper
    cases: "test_upper__*"
    inputs: tests/inputs
target:
  command: node adapter.mjs
  workers: 2
  timeout: 1500ms
  cwd: target
${configExtra}`,
  );
  return project;
}
