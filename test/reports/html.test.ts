import { describe, expect, it } from 'vitest';
import { labelIndexes, niceScale, renderChart } from '../../harness/reports/html-chart.js';
import type { HistoryRecord } from '../../harness/reports/history-types.js';
import { renderHtml } from '../../harness/reports/html.js';
import { baseCases, inputOf, laterCases, makeCase, makeRun, recordRuns } from './fixtures.js';

function nights() {
  return recordRuns([
    { run: makeRun(baseCases(), '2024-05-01T02:00:00.000Z'), kind: 'test', rev: null },
    { run: makeRun(laterCases(), '2024-05-02T02:00:00.000Z'), kind: 'test', rev: null },
  ]);
}

function history(): HistoryRecord[] {
  return nights().map((r) => r.record);
}

describe('renderHtml', () => {
  const html = renderHtml(inputOf(nights()));

  it('is one file that loads nothing from anywhere', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link rel="stylesheet"|<script src=/i);
    expect(html).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it('says under the passing count how it relates to the "N passed" of porter test', () => {
    expect(html).toContain('<div class="s">62% of all cases<br>17 pass = 16 passed + 1 skip-listed case that passes again; porter test counts only the 16 as passed</div>');
  });

  it('escapes case ids, reasons and diffs', () => {
    expect(html).toContain('<code>test_templates__vm@`tick`&lt;b&gt;.txt</code>');
    expect(html).toContain('data-id="test_templates__vm@bad&quot;json&quot;.txt"');
    expect(html).toContain('<span class="d-del">-  &lt;li class=&quot;a&quot;&gt;Tom &amp;amp; Jerry&lt;/li&gt;</span>');
    expect(html).toContain('needs &lt;b&gt; | escaping');
    expect(html).not.toContain('<b>');
  });

  it('puts every case in the list, failing ones with their diff behind <details>', () => {
    expect(html.match(/ class="case" data-s=/g)).toHaveLength(27);
    expect(html).toMatch(/<details id="case-\d+" class="case" data-s="fail" data-id="test_parser__parser@p0\.txt"[^>]*><summary>/);
    expect(html).toMatch(/<div id="case-\d+" class="case" data-s="pass" data-id="test_lexer__lexer@case0\.txt"/);
  });

  it('renders an empty history without failing', () => {
    const empty = renderHtml(inputOf([]));
    expect(empty).toContain('no runs recorded yet');
    expect(empty).not.toContain('<svg');
  });

  it('renders a run alone, before any history exists', () => {
    const one = renderHtml(inputOf([]), makeRun([makeCase({ id: 'a', phase: 'lexer', status: 'pass' })], '2024-05-01T00:00:00Z', ['lexer']));
    expect(one).toContain('<svg');
    expect(one).toContain('100%');
  });
});

describe('chart', () => {
  it('picks round gridlines with little headroom', () => {
    expect(niceScale(301)).toEqual({ step: 50, top: 350 });
    expect(niceScale(100)).toEqual({ step: 20, top: 100 });
    expect(niceScale(2698)).toEqual({ step: 500, top: 3000 });
    expect(niceScale(3)).toEqual({ step: 1, top: 3 });
  });

  it('stacks one area per phase and gives every run a tooltip', () => {
    const svg = renderChart(history(), ['lexer', 'parser', 'runtime']);
    expect(svg.match(/<polygon /g)).toHaveLength(3);
    expect(svg.match(/<rect class="hover"/g)).toHaveLength(2);
    expect(svg).toContain('<title>2024-05-02 02:00 UTC · test run\nlexer: 9 passing\nparser: 7 passing\nruntime: 1 passing\ntotal: 17 / 27</title>');
  });

  it('labels evenly spaced runs, always the last', () => {
    expect(labelIndexes(5, 9)).toEqual([0, 1, 2, 3, 4]);
    expect(labelIndexes(100, 9)).toEqual([0, 13, 26, 39, 52, 65, 78, 91, 99]);
    expect(labelIndexes(20, 9)).toEqual([0, 3, 6, 9, 12, 15, 19]);
  });

  it('draws a single run as a flat band', () => {
    const svg = renderChart(history().slice(0, 1), ['lexer', 'parser', 'runtime']);
    expect(svg.match(/<polygon /g)).toHaveLength(3);
    expect(svg).not.toContain('NaN');
  });
});
