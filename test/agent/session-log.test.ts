import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/built-dist.js';
import { sessionPath } from '../../harness/agent/porter-dir.js';
import { latestSession, newRunId, openSession, readSession } from '../../harness/agent/session-log.js';

let ws: string;
const clock = () => new Date('2026-11-20T10:00:00.000Z');

beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-session-'));
});
afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

describe('session log', () => {
  it('appends versioned, numbered lines and reads them back', () => {
    const s = openSession(ws, 'run1', { clock });
    const e1 = s.append({ type: 'run-start', run: 'run1', config: '/x/porter.config.yaml', argv: ['agent'] });
    const e2 = s.append({ type: 'note', iteration: 1, text: 'keep escaping', from: 'flag' });
    s.close();
    expect(e1).toEqual({ v: 1, seq: 1, ts: '2026-11-20T10:00:00.000Z', type: 'run-start', run: 'run1', config: '/x/porter.config.yaml', argv: ['agent'] });
    expect(e2.seq).toBe(2);
    expect(s.file).toBe(path.join(ws, '.porter', 'sessions', 'run1.jsonl'));
    const lines = fs.readFileSync(s.file, 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1]!)).toEqual(e2);
    expect(readSession(s.file)).toMatchObject({ entries: [e1, e2], warnings: [] });
  });

  it('each entry is on disk when append returns, even if the process dies right after', async () => {
    // A real process appends and is then killed with SIGKILL; its entries must survive.
    // Node 20 cannot load TypeScript: the child uses the build of the current sources.
    await ensureBuilt();
    const mod = path.resolve(import.meta.dirname, '../../dist/harness/agent/session-log.js');
    const script = `
      import { openSession } from ${JSON.stringify(mod)};
      const s = openSession(${JSON.stringify(ws)}, 'crash');
      for (let i = 1; i <= 3; i++) s.append({ type: 'note', iteration: i, text: 'n' + i, from: 'flag' });
      process.kill(process.pid, 'SIGKILL');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.signal).toBe('SIGKILL');
    expect(readSession(sessionPath(ws, 'crash')).entries.map((e) => e.seq)).toEqual([1, 2, 3]);
  }, 300_000);

  it('skips a torn last line with a warning, and a resumed session cuts it and goes on', () => {
    const s = openSession(ws, 'run2', { clock });
    s.append({ type: 'note', iteration: 1, text: 'a', from: 'flag' });
    s.append({ type: 'note', iteration: 1, text: 'b', from: 'flag' });
    s.close();
    fs.appendFileSync(s.file, '{"v":1,"seq":3,"ts":"2026-11-20T10:00:00.000Z","type":"tool-ca');
    const read = readSession(s.file);
    expect(read.entries.map((e) => e.seq)).toEqual([1, 2]);
    expect(read.warnings).toEqual([expect.stringMatching(/last line is incomplete.*skipped/)]);

    const resumed = openSession(ws, 'run2', { clock });
    expect(resumed.lastSeq).toBe(2);
    expect(resumed.append({ type: 'note', iteration: 2, text: 'c', from: 'notes.md' }).seq).toBe(3);
    resumed.close();
    const again = readSession(s.file);
    expect(again.warnings).toEqual([]);
    expect(again.entries.map((e) => [e.seq, (e as { text: string }).text])).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
  });

  it('skips malformed lines in the middle with their line number', () => {
    const file = sessionPath(ws, 'bad');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"v":1,"seq":1,"ts":"t","type":"note"}\nnot json\n{"v":2,"seq":2,"type":"x"}\n');
    const r = readSession(file);
    expect(r.entries).toHaveLength(1);
    expect(r.warnings).toEqual([`${file}:2: not valid JSON; skipped`, `${file}:3: not a version 1 session entry; skipped`]);
  });

  it('never writes an API key, wherever it appears', () => {
    const key = 'sk-ant-api03-AbCdEf_0123456789-xyz';
    const other = 'customer-secret-token-value';
    const s = openSession(ws, 'keys', { clock, env: { ANTHROPIC_API_KEY: other } });
    const returned = s.append({ type: 'tool-result', iteration: 1, toolUseId: 't1', result: { content: `env: ANTHROPIC_API_KEY=${other}\nold=${key}`, isError: false } });
    s.append({ type: 'response', iteration: 1, model: 'm', content: [{ type: 'text', text: `my key is ${key}` }, { [key]: 1 }], stopReason: null, usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 }, costUsd: 0 });
    s.append({ type: 'run-start', run: 'keys', config: 'c', argv: ['agent', `--key=${other}`] });
    s.close();
    const text = fs.readFileSync(s.file, 'utf8');
    expect(text).not.toContain(other);
    expect(text).not.toContain('sk-ant-api03');
    expect(text).toContain('[redacted]');
    expect(JSON.stringify(returned)).not.toContain(other);
    expect(readSession(s.file).entries).toHaveLength(3);
  });

  it('finds the latest session; run ids sort by time', () => {
    expect(latestSession(ws)).toBeNull();
    const a = newRunId(new Date('2026-11-20T10:00:00Z'));
    const b = newRunId(new Date('2026-11-21T09:00:00Z'));
    expect(a).toMatch(/^2026-11-20T10-00-00Z-[0-9a-f]{4}$/);
    openSession(ws, b).close();
    openSession(ws, a).close();
    expect(latestSession(ws)).toBe(sessionPath(ws, b));
  });
});
