import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllGroups, runProcess } from '../../harness/util/process.js';
import { tempDir, waitDead, writeScript } from '../target/helpers.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
const fresh = (name: string): string => path.join(dir, `${n++}-${name}`);

async function waitForFile(file: string): Promise<void> {
  while (!fs.existsSync(file) || fs.readFileSync(file, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 20));
}

const pids = (file: string): number[] => fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);

/**
 * A shell that ignores SIGTERM, with a child shell that ignores it too and a grandchild
 * `sleep`; their pids go to `pidFile` once all three run.
 */
const inner = writeScript(dir, 'inner.sh', `trap '' TERM\nsleep 60 &\necho "$$ $!" > "$1.inner"\nwait\n`);
const outer = writeScript(dir, 'outer.sh', `trap '' TERM\nbash ${inner} "$1" &\nwhile [ ! -s "$1.inner" ]; do sleep 0.01; done\necho "$$ $(cat "$1.inner")" > "$1.tmp"\nmv "$1.tmp" "$1"\nwait\n`);
const stubbornTree = (pidFile: string): string[] => ['bash', outer, pidFile];

describe('runProcess', () => {
  it('captures stdout, stderr and the exit code, with the input on stdin', async () => {
    const r = await runProcess(['bash', '-c', 'cat; echo oops >&2; exit 3'], { cwd: dir, input: 'hello\nworld\n' });
    expect(r).toMatchObject({ exitCode: 3, signal: null, timedOut: false, aborted: false });
    expect(r.stdout).toEqual({ text: 'hello\nworld\n', bytes: 12, cut: false });
    expect(r.stderr).toEqual({ text: 'oops\n', bytes: 5, cut: false });
    expect(r.startError).toBeUndefined();
  });

  it('gives stdin no input when none is asked for, and survives a process that never reads a large input', async () => {
    expect((await runProcess(['bash', '-c', 'wc -c'], { cwd: dir })).stdout.text.trim()).toBe('0');
    const big = 'x'.repeat(4 * 1024 * 1024);
    expect(await runProcess(['true'], { cwd: dir, input: big })).toMatchObject({ exitCode: 0, signal: null });
  });

  it('reports a command that cannot start as a result, not a throw', async () => {
    const r = await runProcess([path.join(dir, 'no-such-command')], { cwd: dir });
    expect(r.startError?.code).toBe('ENOENT');
    expect(r.exitCode).toBeNull();
    expect((await runProcess([''], { cwd: dir })).startError).toBeDefined();
    expect((await runProcess(['true'], { cwd: path.join(dir, 'no-such-dir') })).startError?.code).toBe('ENOENT');
  });

  it('keeps the head and the tail of a long output and counts every byte, per stream', async () => {
    const script = `process.stdout.write('a'.repeat(5000) + 'b'.repeat(5000) + 'c'.repeat(5000)); process.stderr.write('short')`;
    const r = await runProcess([process.execPath, '-e', script], { cwd: dir, keepHead: 100, keepTail: 50 });
    expect(r.stdout.bytes).toBe(15_000);
    expect(r.stdout.cut).toBe(true);
    expect(r.stdout.text).toBe(`${'a'.repeat(100)}\n[... 14850 bytes omitted ...]\n${'c'.repeat(50)}`);
    expect(r.stderr).toEqual({ text: 'short', bytes: 5, cut: false });
    const exact = await runProcess([process.execPath, '-e', `process.stdout.write('x'.repeat(150))`], { cwd: dir, keepHead: 100, keepTail: 50 });
    expect(exact.stdout).toEqual({ text: 'x'.repeat(150), bytes: 150, cut: false });
  });

  it('writes both streams to a file in the order written, showing head and tail', async () => {
    const file = fresh('out.log');
    const r = await runProcess(['bash', '-c', 'echo one; echo two >&2; seq 1 2000; echo end'], { cwd: dir, outputFile: file, keepHead: 8, keepTail: 4 });
    const full = fs.readFileSync(file, 'utf8');
    expect(full.startsWith('one\ntwo\n1\n2\n')).toBe(true);
    expect(r.stdout.bytes).toBe(Buffer.byteLength(full));
    expect(r.stdout.text).toBe(`one\ntwo\n\n[... ${r.stdout.bytes - 12} bytes omitted ...]\nend\n`);
    expect(r.stderr).toEqual({ text: '', bytes: 0, cut: false });
  });

  it('on a timeout sends SIGTERM first, so a process can end cleanly', async () => {
    const r = await runProcess(['bash', '-c', `trap 'echo terminated; exit 7' TERM; echo started; sleep 60 & wait`], { cwd: dir, timeoutMs: 2000, killGraceMs: 60_000 });
    expect(r).toMatchObject({ timedOut: true, aborted: false, exitCode: 7 });
    expect(r.stdout.text).toBe('started\nterminated\n');
  });

  it('on a timeout kills the whole group, grandchildren included, with SIGKILL when SIGTERM is ignored', async () => {
    const pidFile = fresh('tree.pid');
    const r = await runProcess(stubbornTree(pidFile), { cwd: dir, timeoutMs: 2000, killGraceMs: 200 });
    expect(r).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    const tree = pids(pidFile);
    expect(tree).toHaveLength(3);
    for (const pid of tree) expect(await waitDead(pid)).toBe(true);
  });

  it('an abort signal stops the whole group the same way', async () => {
    const pidFile = fresh('abort.pid');
    const ctl = new AbortController();
    const running = runProcess(stubbornTree(pidFile), { cwd: dir, signal: ctl.signal, killGraceMs: 200 });
    await waitForFile(pidFile);
    ctl.abort();
    const r = await running;
    expect(r).toMatchObject({ aborted: true, timedOut: false, exitCode: null, signal: 'SIGKILL' });
    for (const pid of pids(pidFile)) expect(await waitDead(pid)).toBe(true);
  });

  it('does not start a process when the signal is already aborted', async () => {
    const marker = fresh('started');
    const ctl = new AbortController();
    ctl.abort();
    const r = await runProcess(['bash', '-c', `touch ${marker}`], { cwd: dir, signal: ctl.signal });
    expect(r).toMatchObject({ aborted: true, exitCode: null });
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('kills what a process left running in the background when it exits', async () => {
    const r = await runProcess(['bash', '-c', 'sleep 60 > /dev/null 2>&1 & echo $!'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(await waitDead(Number(r.stdout.text))).toBe(true);
  });

  it('killAllGroups ends every group still running', async () => {
    const pidFile = fresh('all.pid');
    const running = runProcess(stubbornTree(pidFile), { cwd: dir });
    await waitForFile(pidFile);
    killAllGroups();
    const r = await running;
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false, aborted: false });
    for (const pid of pids(pidFile)) expect(await waitDead(pid)).toBe(true);
  });

  it('gives the bytes as they came with binary, for output parsed by byte counts', async () => {
    const r = await runProcess(['printf', '\\377\\000ab'], { cwd: process.cwd(), binary: true });
    expect(r.stdout.raw).toEqual(Buffer.from([0xff, 0x00, 0x61, 0x62]));
    const plain = await runProcess(['printf', 'ab'], { cwd: process.cwd() });
    expect(plain.stdout.raw).toBeUndefined();
  });
});
