/**
 * The dashboard in real headless Chromium: loads with no console error and no request
 * beyond its own file, filters, opens diffs, reads without JavaScript, and survives
 * hostile case ids and diffs. The page is the one `porter report` rebuilds from the split
 * history alone: eight summaries and, with keep_runs 3, the detail files of the last
 * three nights. Saves a screenshot to reports/screenshots/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJUnit } from '../../harness/reports/junit.js';
import { regenerateReports, writeReports } from '../../harness/reports/write.js';
import type { RunResult } from '../../harness/run/types.js';
import { AGENT_STATS, DIFF_CONTROL, makeCase, makeRun, weekOfRuns } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const hasChromium = fs.existsSync(CHROMIUM);
const KEEP_RUNS = 3;

const HOSTILE_ID = 'test_templates__vm@<img src="http://192.0.2.1/x.png" onerror="window.__pwned=1">&amp;.txt';
const HOSTILE_DIFF = ['--- expected', '+++ actual', '@@ -1 +1 @@', '-</pre><script>window.__pwned=2</script>', '+<img src=http://192.0.2.1/y.png>\u001b[0m'].join('\n');

/** A week of nights, then a night that regresses two cases and adds hostile content. */
function nights(): RunResult[] {
  const runs = weekOfRuns(7);
  const last = runs[runs.length - 1]!;
  const regressed = last.cases.map((c, i) =>
    c.status === 'pass' && (i === 3 || i === 45) ? makeCase({ id: c.id, phase: c.phase, status: 'fail', facet: 'output', reason: 'output differs at line 1', diff: DIFF_CONTROL }) : c,
  );
  regressed.push(makeCase({ id: HOSTILE_ID, phase: 'runtime', status: 'fail', facet: 'output', reason: 'reason with <b>markup</b> & "quotes"', diff: HOSTILE_DIFF }));
  runs.push(makeRun(regressed, '2024-05-08T02:20:00.000Z'));
  return runs;
}

describe.skipIf(!hasChromium)(`dashboard in headless Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} is not installed; .ci/run installs it)`}`, () => {
  let browser: Browser;
  let dir: string;
  let url: string;
  let last: RunResult;

  beforeAll(async () => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'porter-dashboard-')), 'reports');
    const runs = nights();
    for (const [i, run] of runs.entries()) {
      const agent = i % 2 === 1;
      await writeReports(dir, {
        kind: agent ? 'agent' : 'test',
        run,
        rev: (0x1000 + i).toString(16).repeat(10),
        env: {},
        keepRuns: KEEP_RUNS,
        ...(agent ? { agent: AGENT_STATS } : {}),
        ...(i === 5 ? { extra: { tamper: [{ path: 'tests/snapshots/test_lexer__lexer@if_000.txt.snap', action: 'restored' as const, detail: 'the agent edited a snapshot', iteration: 4 }] } } : {}),
      });
    }
    last = runs[runs.length - 1]!;
    fs.rmSync(path.join(dir, 'index.html'));
    const rebuilt = regenerateReports(dir, { keepRuns: KEEP_RUNS });
    if (!rebuilt.ok || rebuilt.warnings.length) throw new Error(JSON.stringify(rebuilt));
    url = pathToFileURL(path.join(dir, 'index.html')).href;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(javaScriptEnabled = true): Promise<{ page: Page; requests: string[]; errors: string[] }> {
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(url, { waitUntil: 'load' });
    return { page, requests, errors };
  }

  it('loads with no console error and no request beyond its own file, and saves a screenshot', async () => {
    const { page, requests, errors } = await open();
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    await expect(page.title()).resolves.toMatch(/^Porter progress · \d+% passing$/);
    expect(await page.locator('.kpi').first().innerText()).toMatch(/passing\s+2\d\d \/ 301/i);
    expect(await page.locator('#chart svg polygon').count()).toBe(3);

    const shots = path.join(repoRoot, 'reports', 'screenshots');
    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'dashboard.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1500 } });
    await page.context().close();
  });

  it('shows every night from the summaries, and skip-list ages older than the detail files kept', async () => {
    expect(fs.readdirSync(path.join(dir, 'runs'))).toHaveLength(KEEP_RUNS);
    const { page, errors } = await open();
    expect(await page.locator('#history tbody tr').count()).toBe(8);
    expect(await page.locator('#chart svg rect.hover').count()).toBe(8);
    // Skipped every night since the first: the age comes from the last detail, not from the pruned ones.
    const parked = page.locator('#skips tbody tr').filter({ hasText: 'test_lexer__lexer@loop_007.txt' });
    expect(await parked.locator('td').last().innerText()).toBe('7 d (8 runs)');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('filters the case list by text and by status', async () => {
    const { page, errors } = await open();
    const rows = page.locator('#cases > *');
    expect(await rows.count()).toBe(last.cases.length);
    await expect(page.locator('#shown').innerText()).resolves.toBe(`${last.cases.length} of ${last.cases.length} shown`);

    await page.fill('#q', 'parser@macro');
    const parserMacro = last.cases.filter((c) => c.id.includes('parser@macro')).length;
    expect(parserMacro).toBeGreaterThan(3);
    expect(await page.locator('#cases > :not([hidden])').count()).toBe(parserMacro);
    await expect(page.locator('#shown').innerText()).resolves.toBe(`${parserMacro} of ${last.cases.length} shown`);

    // Several words must all match; the reason text is searched too.
    await page.fill('#q', 'runtime SIGSEGV');
    const crashes = last.cases.filter((c) => c.phase === 'runtime' && c.reason?.includes('SIGSEGV')).length;
    expect(crashes).toBeGreaterThan(0);
    expect(await page.locator('#cases > :not([hidden])').count()).toBe(crashes);

    await page.fill('#q', '');
    await page.locator('label.chip input[value="pass"]').uncheck();
    const notPass = last.cases.filter((c) => c.status !== 'pass').length;
    expect(await page.locator('#cases > :not([hidden])').count()).toBe(notPass);
    expect(await page.locator('#cases > :not([hidden])[data-s="pass"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows a failing case’s diff on click, escaped', async () => {
    const { page, requests, errors } = await open();
    const row = page.locator('#cases > details').filter({ hasText: 'img src=' }).first();
    expect(await row.locator('summary code').innerText()).toBe(HOSTILE_ID);
    const diff = row.locator('pre.diff');
    expect(await diff.isVisible()).toBe(false);
    await row.locator('summary').click();
    expect(await diff.isVisible()).toBe(true);
    const text = await diff.innerText();
    expect(text).toContain('-</pre><script>window.__pwned=2</script>');
    expect(text).toContain('+<img src=http://192.0.2.1/y.png>␛[0m');
    expect(await row.locator('.d-del').count()).toBe(1);
    expect(await row.locator('summary .why').innerText()).toBe('reason with <b>markup</b> & "quotes"');
    await row.screenshot({ path: path.join(repoRoot, 'reports', 'screenshots', 'dashboard-case.png') });

    // A cluster link jumps to its case and opens it.
    const link = page.locator('#clusters details[open] .ids a').first();
    const target = (await link.getAttribute('href'))!.slice(1);
    await link.click();
    await expect.poll(() => page.locator(`[id="${target}"]`).evaluate((el) => (el as unknown as { open: boolean }).open)).toBe(true);

    expect(requests).toEqual([url]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('reads without JavaScript: summary, chart, history and diffs', async () => {
    const { page, requests } = await open(false);
    expect(await page.locator('#phases table').isVisible()).toBe(true);
    expect(await page.locator('#phases tbody tr').count()).toBe(4);
    expect(await page.locator('#chart svg').isVisible()).toBe(true);
    expect(await page.locator('#history tbody tr').count()).toBe(8);
    expect(await page.locator('#filters').isVisible()).toBe(false);
    const failing = page.locator('#cases > details').first();
    await failing.locator('summary').click();
    expect(await failing.locator('pre.diff').isVisible()).toBe(true);
    expect(requests).toEqual([url]);
    await page.context().close();
  });

  it('JUnit output parses in Chromium’s strict XML parser', async () => {
    const { page } = await open();
    const xml = renderJUnit(last);
    // Runs in the page; the project's TypeScript has no DOM typings, so the little used is typed here.
    type El = { getAttribute(name: string): string | null };
    type Doc = { getElementsByTagName(name: string): ArrayLike<El> };
    const parsed = await page.evaluate((text) => {
      const { DOMParser } = globalThis as unknown as { DOMParser: new () => { parseFromString(s: string, type: string): Doc } };
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      return {
        errors: doc.getElementsByTagName('parsererror').length,
        cases: doc.getElementsByTagName('testcase').length,
        failures: doc.getElementsByTagName('failure').length,
        names: Array.from(doc.getElementsByTagName('testcase')).map((t) => t.getAttribute('name')),
      };
    }, xml);
    expect(parsed.errors).toBe(0);
    expect(parsed.cases).toBe(last.cases.length);
    expect(parsed.failures).toBe(last.cases.filter((c) => c.status === 'fail').length);
    expect(parsed.names).toContain(HOSTILE_ID);
    await page.context().close();
  });
});
