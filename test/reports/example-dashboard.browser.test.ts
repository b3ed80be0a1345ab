/**
 * Issue #4's "done when": the bundled example run a few times — `porter test` on an empty
 * port, `porter agent` against the fake Messages API, `porter test` on the finished port —
 * leaves a history, a Markdown summary and a dashboard that opens cleanly in Chromium.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { readHistory } from '../../harness/reports/history-file.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { createSolver } from '../support/fake-anthropic-solver.js';
import { runCli } from '../support/cli.js';
import { makeWorkspace, repoRoot, solutionDir, type Workspace } from '../agent/workspace-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let ws: Workspace | undefined;
let api: FakeAnthropic | undefined;
afterAll(async () => {
  await api?.close();
  ws?.cleanup();
});

describe.skipIf(!fs.existsSync(CHROMIUM))('reports of the bundled example, in Chromium', () => {
  it('history, latest.md and index.html after test, agent, test', async () => {
    ws = makeWorkspace({ adapter: true });
    const reports = path.join(ws.dir, '.porter', 'reports');

    const before = await runCli(['test'], ws.dir);
    expect(before.code).toBe(1);

    const solver = createSolver({ solutionDir, targetPrefix: 'target/', usage: () => ({ input_tokens: 3000, output_tokens: 400, cache_read_input_tokens: 9000 }) });
    api = await startFakeAnthropic({ responder: solver.responder });
    const agent = await runCli(['agent'], ws.dir, { ANTHROPIC_API_KEY: 'sk-ant-test-reports', ANTHROPIC_BASE_URL: api.url });
    expect(agent.code, agent.stderr).toBe(0);

    const after = await runCli(['test'], ws.dir);
    expect(after.code).toBe(0);

    const { records, warnings } = readHistory(path.join(reports, 'history.jsonl'));
    expect(warnings).toEqual([]);
    expect(records.map((r) => r.kind)).toEqual(['test', 'agent', 'test']);
    const agentRecord = records[1]!;
    expect(agentRecord.agent).toMatchObject({ stopReason: 'all-pass', backend: 'anthropic', commits: 3 });
    expect(agentRecord.agent!.costUsd).toBeGreaterThan(0);
    expect(agentRecord.agent!.phases.map((p) => p.phase)).toEqual(['lexer', 'parser', 'runtime']);
    expect(records[2]!.changedCount).toBe(0);
    expect(records[2]!.changedIds).toEqual([]);
    expect(agentRecord.changedCount).toBeGreaterThan(30);
    expect(agentRecord.changedIds).toHaveLength(agentRecord.changedCount);
    // One summary a line, one detail file a run.
    expect(fs.readdirSync(path.join(reports, 'runs')).sort()).toEqual(records.map((r) => r.detail).sort());

    const md = fs.readFileSync(path.join(reports, 'latest.md'), 'utf8');
    expect(md).toMatch(/lexer/);
    expect(md).toMatch(/\$\d+\.\d\d/);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const url = pathToFileURL(path.join(reports, 'index.html')).href;
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url, { waitUntil: 'load' });
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
      expect(await page.locator('#history tbody tr').count()).toBe(3);
      expect(await page.locator('#chart svg').count()).toBe(1);
      expect(await page.locator('#cases > *').count()).toBe(42);
      const shots = path.join(repoRoot, 'reports', 'screenshots');
      fs.mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: path.join(shots, 'example-dashboard.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
