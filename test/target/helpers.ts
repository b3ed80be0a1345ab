import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TargetRequest } from '../../harness/target/types.js';

/** A temp dir holding worker scripts; removed by the caller's afterAll. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'porter-target-'));
}

export function writeScript(dir: string, name: string, text: string, mode = 0o755): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text, { mode });
  return file;
}

const FILES = { 'refs/a.txt': 'shared ref content' };

export function request(id: string, body = `body of ${id}`): TargetRequest {
  return {
    id,
    phase: 'runtime',
    input: { path: `inputs/${id}.txt`, header: { $settings: { x: 1 } }, header_raw: '{"$settings": {"x": 1}}', body },
    params: {},
    files: FILES,
    snapshot: { path: `snapshots/${id}.snap`, header: { source: 'x' } },
  };
}

/** True once `pid` no longer runs (gone, or a zombie nobody has reaped yet). */
export function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Polls until `pid` is dead; SIGKILL delivery and reaping are asynchronous. */
export async function waitDead(pid: number, limitMs = 3000): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (isDead(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return isDead(pid);
}

/**
 * A Node worker speaking the stdio protocol whose behaviour depends on the case id prefix:
 * `hang` starts a `sleep` child (its pid written to `<dir>/<id>.pid`) and never answers;
 * `exit` writes a panic to stderr and exits 3; `garbage` prints a non-JSON line; `big` prints
 * a 5 MB line; `wrongid` answers another id; `noout` omits output; `debug` prints a stray line
 * before its answer; `err` answers with an error field; `pid` answers with its own pid;
 * anything else is echoed as `echo:<body>`.
 */
export const FAULTY_WORKER = String.raw`
import readline from 'node:readline';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
const dir = process.argv[2];
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const req = JSON.parse(line);
  const id = req.id;
  process.stderr.write('handling ' + id + '\n');
  if (id.startsWith('hang')) {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    fs.writeFileSync(path.join(dir, id + '.pid'), String(child.pid));
    return;
  }
  if (id.startsWith('exit')) {
    process.stderr.write('panic: boom while running ' + id + '\n');
    process.exit(3);
  }
  if (id.startsWith('garbage')) return void process.stdout.write('this is not json\n');
  if (id.startsWith('big')) return void process.stdout.write(JSON.stringify({ id, output: 'x'.repeat(5 * 1024 * 1024) }) + '\n');
  if (id.startsWith('wrongid')) return out({ id: 'someone-else', output: 'x' });
  if (id.startsWith('noout')) return out({ id });
  if (id.startsWith('debug')) {
    process.stdout.write('debug: looking at ' + id + '\n');
    return out({ id, output: 'late' });
  }
  if (id.startsWith('err')) return out({ id, output: 'Error!', error: { kind: 'SyntaxError', message: 'unexpected end', line: 3 } });
  if (id.startsWith('pid')) return out({ id, output: String(process.pid) });
  out({ id, output: 'echo:' + req.input.body });
});
`;

export const PYTHON_WORKER = String.raw`
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    body = req["input"]["body"] if req["input"] else ""
    out = {"id": req["id"], "output": "py:" + body + ":" + ",".join(sorted(req["files"]))}
    if req["id"].startswith("err"):
        out["error"] = {"kind": "InvalidOperation", "message": "nope", "line": None}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
`;
