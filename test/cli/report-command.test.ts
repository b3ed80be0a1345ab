import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createMiniProject } from '../support/mini-project.js';

describe('porter report', () => {
  it('rebuilds latest.md and index.html from the history alone, skipping a torn last line', async () => {
    const p = createMiniProject({ 'a.txt': { input: 'a', expected: 'A' }, 'b.txt': { input: 'b', expected: 'X' } });
    await runCli(['test'], p.dir);
    await runCli(['test'], p.dir);
    const reports = path.join(p.dir, 'reports');
    fs.rmSync(path.join(reports, 'latest.md'));
    fs.rmSync(path.join(reports, 'index.html'));
    fs.appendFileSync(path.join(reports, 'history.jsonl'), '{"v":1,"kind":"test","ti');

    const r = await runCli(['report'], p.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('from 2 history records');
    expect(r.stderr).toMatch(/warning: .*history\.jsonl/);
    expect(fs.readFileSync(path.join(reports, 'latest.md'), 'utf8')).toContain('test_upper__upper@b.txt');
    expect(fs.readFileSync(path.join(reports, 'index.html'), 'utf8')).toContain('<svg');
  });

  it('says what to do when there is no history', async () => {
    const p = createMiniProject({ 'a.txt': { input: 'a', expected: 'A' } });
    const r = await runCli(['report', '--dir', 'nowhere'], p.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('porter test');
  });
});
