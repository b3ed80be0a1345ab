import { describe, expect, it } from 'vitest';
import { labelIndexes, niceScale, renderChart } from '../../harness/reports/html-chart.js';
import type { HistoryRecord } from '../../harness/reports/history-types.js';
import { renderHtml } from '../../harness/reports/html.js';
import { AGENT_STATS, agentRunInput, baseCases, inputOf, laterCases, makeCase, makeRun, PARALLEL_STATS, recordRuns } from './fixtures.js';

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

describe('renderHtml of an agent run', () => {
  const render = (agent: typeof AGENT_STATS) => renderHtml(agentRunInput(agent));

  it('shows each worker of a parallel run, busy time as a share of the run, and the merge queue', () => {
    const html = render(PARALLEL_STATS);
    expect(html).toContain(
      '<thead><tr><th>Worker (latest run)</th><th class="n">Items</th><th class="n">Merged</th><th class="n">Rejected</th><th class="n">Conflicts</th><th class="n">Cost</th><th class="n">Busy</th></tr></thead>',
    );
    expect(html).toContain('<tr><td>w1</td><td class="n">4</td><td class="n">3</td><td class="n">0</td><td class="n">1</td><td class="n">$12.50</td><td class="n">62%</td></tr>');
    expect(html).toContain('<tr><td>w2</td><td class="n">3</td><td class="n">2</td><td class="n">1</td><td class="n">0</td><td class="n">$0.00</td><td class="n">100%</td></tr>');
    expect(html).toContain('<tr><td>w3 &lt;b&gt;</td>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('<p class="gap">Merge queue: 5 accepted, 1 rejected, 1 conflict, 0 superseded</p>');
  });

  it('shows a dash for busy time when the run has no wall time', () => {
    expect(render({ ...PARALLEL_STATS, wallMs: 0 })).toContain('<td class="n">$12.50</td><td class="n">—</td></tr>');
  });

  it('shows no workers or merge queue for a single-agent run', () => {
    const html = render(AGENT_STATS);
    expect(html).toContain('id="agent"');
    expect(html).not.toContain('Worker');
    expect(html).not.toContain('Merge queue');
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
