import { describe, expect, it } from 'vitest';
import { clusterFailures, firstDifferingLine } from '../../harness/reports/cluster.js';
import { recordFromRun } from '../../harness/reports/history.js';
import type { RecordedRun } from '../../harness/reports/history-types.js';
import { renderMarkdown } from '../../harness/reports/markdown.js';
import { code, fence, table } from '../../harness/reports/md.js';
import { formatDuration, percent, progressBar } from '../../harness/reports/text.js';
import { AGENT_STATS, agentRunInput, baseCases, DIFF_LT, inputOf, laterCases, makeCase, makeRun, PARALLEL_STATS, recordRuns } from './fixtures.js';

function twoNights(): { history: RecordedRun[]; later: ReturnType<typeof makeRun> } {
  const later = makeRun(laterCases(), '2024-05-03T06:30:00.000Z');
  const history = recordRuns([
    { run: makeRun(baseCases(), '2024-05-01T02:00:00.000Z'), kind: 'test', rev: 'a'.repeat(40) },
    {
      run: later,
      kind: 'agent',
      rev: 'b'.repeat(40),
      agent: AGENT_STATS,
      tamper: [{ path: 'tests/snapshots/x.snap', action: 'restored', detail: 'snapshot edited by the agent', iteration: 4 }],
      agentSkips: [{ id: 'test_templates__vm@ctrl.txt', reason: 'needs ANSI colours' }],
    },
  ]);
  return { history, later };
}

const section = (md: string, heading: string) => {
  const start = md.indexOf(`\n## ${heading}`);
  if (start < 0) return '';
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end < 0 ? undefined : end);
};

describe('renderMarkdown', () => {
  const { history, later } = twoNights();
  const md = renderMarkdown(inputOf(history), later);

  it('opens with the totals and a per-phase table with progress bars', () => {
    expect(md).toMatch(/^# Porter progress\n\n\*\*17 \/ 27 cases pass \(62%\)\*\* · 2024-05-03 06:30 UTC · agent run · rev `bbbbbbbbbb` · 4\.3 s/);
    expect(md).toContain('▲ 2 newly passing · ▼ 1 newly failing · 8 failing in 5 clusters · 3 on the skip-list');
    expect(md).toMatch(/\| lexer +\| `█████████░ 90%` \| +9 \| +0 \| +1 \|/);
    expect(md).toMatch(/\| \*\*all\*\* +\| `██████░░░░ 62%` \| +16 \|/);
  });

  it('pads tables so their columns line up on a terminal', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && l.includes('Pass') === false && /\| (lexer|parser|runtime|\*\*all\*\*) /.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const widths = new Set(rows.slice(0, 4).map((l) => [...l].length));
    expect(widths.size).toBe(1);
  });

  it('lists newly passing and newly failing cases', () => {
    expect(section(md, 'Newly passing')).toContain('- `test_lexer__lexer@case8.txt` · lexer · fail → pass');
    expect(section(md, 'Newly passing')).toContain('- `test_parser__parser@p5.txt` · parser · fail → pass');
    expect(section(md, 'Newly failing (1)')).toContain('- `test_parser__parser@p0.txt` · parser · pass → fail');
    expect(section(md, 'Other changes')).toContain('`test_parser__parser@p9.txt` · parser · timeout → fail');
  });

  it('groups failing cases into clusters with a short diff each', () => {
    const f = section(md, 'Failing cases');
    expect(f).toContain('### 1. first differing line: `-  <li class="a">Tom &amp; Jerry</li>` — 4 cases (parser)');
    expect(f).toContain('```diff\n--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n <ul>\n-  <li class="a">Tom &amp; Jerry</li>');
    expect(f).toContain('### 2. error kind differs (expected SyntaxError) — 1 case (parser)');
    expect(f).toContain('target crashed');
    // Control characters are shown, never written raw; a ``` inside a diff gets a longer fence.
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(f).toContain('````diff\n--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n-hello␛[31m world\n+hello␀ world␇\n ```not a fence```\n````');
  });

  it('shows the skip-list with reasons and how long each entry has been there', () => {
    const s = section(md, 'Skip-list');
    expect(s).toMatch(/\| `test_lexer__lexer@case9\.txt` +\| lexer +\| skip +\| raw blocks need the \\<raw\\> state & more +\| 2 d \(2 runs\) +\|/);
    expect(s).toMatch(/\| `test_parser__parser@p11\.txt` +\| parser +\| \*\*passes now: remove it\*\* +\|/);
    expect(s).toContain('| ``test_templates__vm@`tick`<b>.txt`` |');
    expect(s).toContain('needs \\<b\\> \\| escaping');
    expect(s).toContain('1 entry now passes; `porter test --update-skiplist` removes it.');
  });

  it('shows overrides, tamper events, parked cases and the agent stats with unit cost', () => {
    expect(section(md, 'Overrides')).toContain('Go prints "nil" where Rust prints "None"');
    expect(section(md, 'Tamper events')).toContain('- iteration 4: restored `tests/snapshots/x.snap` — snapshot edited by the agent');
    expect(section(md, 'Cases the agent parked')).toContain('`test_templates__vm@ctrl.txt`: needs ANSI colours');
    const a = section(md, 'Agent');
    expect(a).toContain('stopped: **stall** (no progress for 5 iterations) · backend anthropic · models `claude-sonnet-4-5`, `claude-haiku-4-5`');
    expect(a).toMatch(/\| Messages +\| +2,698 \| +2,698 \|/);
    expect(a).toMatch(/\| Cost +\| +\$60\.25 \| +\$60\.25 \|/);
    expect(a).toMatch(/\| Cost per passing case +\| +\| +\$3\.54 \(17 cases\) \|/);
    expect(a).toMatch(/\| parser +\| +17 \| +1,798 \| +986 \|/);
  });

  it('shows no workers or merge queue for a single-agent run', () => {
    expect(md).not.toContain('Worker');
    expect(md).not.toContain('Merge queue');
  });

  it('is the same whether rendered with the run or from the history alone', () => {
    expect(renderMarkdown(inputOf(history))).toBe(md);
  });

  it('says so on the first run and when there is nothing at all', () => {
    const first = renderMarkdown(inputOf(history.slice(0, 1)));
    expect(first).toContain('(first recorded run)');
    expect(first).not.toContain('## Newly passing');
    expect(renderMarkdown(inputOf([]))).toBe('# Porter progress\n\nNo runs recorded yet.\n');
  });

  it('renders a run that was not appended to the history yet', () => {
    const run = makeRun([makeCase({ id: 'a', phase: 'lexer', status: 'pass' })], '2024-05-09T00:00:00Z', ['lexer']);
    expect(renderMarkdown(inputOf([]), run)).toContain('**1 / 1 cases pass (100%)**');
  });

  it('says how its passing count relates to the "N passed" of porter test when skip-listed cases pass again', () => {
    // 17 match their snapshots; porter test's closing line says "16 passed, …, 4 skipped (1 of them now passes)".
    expect(md).toContain('3 on the skip-list  \n17 pass = 16 passed + 1 skip-listed case that passes again; porter test counts only the 16 as passed\n');
    const run = makeRun([makeCase({ id: 'a', phase: 'lexer', status: 'pass' })], '2024-05-09T00:00:00Z', ['lexer']);
    expect(renderMarkdown(inputOf([]), run)).not.toContain('porter test counts');
  });
});

describe('Markdown helpers', () => {
  it('draws bars that are full only when complete', () => {
    expect(progressBar(8, 10)).toBe('████████░░ 80%');
    expect(progressBar(999, 1000)).toBe('█████████░ 99%');
    expect(progressBar(1, 1000)).toBe('░░░░░░░░░░ 1%');
    expect(progressBar(10, 10)).toBe('██████████ 100%');
    expect(progressBar(0, 0)).toBe('░░░░░░░░░░ –');
    expect(percent(0, 5)).toBe('0%');
  });

  it('quotes code and fences whatever they hold', () => {
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(code('esc\u001b')).toBe('`esc␛`');
    expect(fence('```\nx', 'diff')).toBe('````diff\n```\nx\n````');
    expect(table(['a', 'b'], [['x|y', '1']], ['l', 'r'])).toBe('| a    |   b |\n| :--- | --: |\n| x\\|y |   1 |');
  });

  it('formats durations for people', () => {
    expect([formatDuration(950), formatDuration(4321), formatDuration(3_600_000), formatDuration(25_920_000)]).toEqual(['950 ms', '4.3 s', '1 h', '7 h 12 min']);
  });

  it('clusters by first differing line, by error kind and facet, and faults by kind', () => {
    expect(firstDifferingLine(DIFF_LT)).toBe('-  <li class="a">Tom &amp; Jerry</li>');
    const clusters = clusterFailures([
      { id: 'a', phase: 'p', status: 'fail', facet: 'output', diff: DIFF_LT },
      { id: 'b', phase: 'q', status: 'fail', facet: 'output', diff: DIFF_LT },
      { id: 'c', phase: 'p', status: 'fail', facet: 'kind', expectedKind: 'SyntaxError' },
      { id: 'd', phase: 'p', status: 'fail', facet: 'kind', expectedKind: 'syntax_error' },
      { id: 'e', phase: 'p', status: 'fail', facet: 'line', expectedKind: 'SyntaxError' },
      { id: 'f', phase: 'p', status: 'error', reason: 'tests/inputs/f.txt:1:5: malformed JSON header' },
      { id: 'g', phase: 'p', status: 'error', reason: 'tests/inputs/g.txt:2:9: malformed JSON header' },
      { id: 'h', phase: 'p', status: 'timeout' },
    ]);
    expect(clusters.map((c) => c.cases.map((x) => x.id).join(''))).toEqual(['ab', 'cd', 'fg', 'e', 'h']);
    expect(clusters[0]).toMatchObject({ label: 'first differing line', phases: ['p', 'q'] });
  });
});

describe('from a history with bounded details', () => {
  it('clusters only the failures it kept and says how many it did not', () => {
    const rec = recordFromRun(makeRun(baseCases(), '2024-05-01T00:00:00Z'), null, { kind: 'test', rev: null, limits: { maxFailures: 2 } });
    const md = renderMarkdown(inputOf([rec]));
    expect(md).toContain('## Failing cases: 9 in 2 clusters');
    expect(md).toContain('The history kept details of the first 2; 7 more are counted but not shown.');
  });
});

describe('renderMarkdown of a parallel agent run', () => {
  const parallel = (agent: typeof PARALLEL_STATS) => renderMarkdown(agentRunInput(agent));

  it('shows each worker with its busy time as a share of the run, and the merge queue', () => {
    const a = section(parallel(PARALLEL_STATS), 'Agent');
    expect(a).toMatch(/\| Worker \(latest run\) \| Items \| Merged \| Rejected \| Conflicts \| +Cost \| Busy \|/);
    expect(a).toMatch(/\| w1 +\| +4 \| +3 \| +0 \| +1 \| \$12\.50 \| +62% \|/);
    expect(a).toMatch(/\| w2 +\| +3 \| +2 \| +1 \| +0 \| +\$0\.00 \| 100% \|/);
    expect(a).toMatch(/\| w3 \\<b\\> +\| +0 \| +0 \| +0 \| +0 \| +\$0\.00 \| +0% \|/);
    expect(a).toContain('\n\nMerge queue: 5 accepted, 1 rejected, 1 conflict, 0 superseded');
  });

  it('shows a dash for busy time when the run has no wall time, and no merge line without merge counts', () => {
    const { merges: _, ...noMerges } = PARALLEL_STATS;
    const a = section(parallel({ ...noMerges, wallMs: 0 }), 'Agent');
    expect(a).toMatch(/\| w1 +\| +4 \| +3 \| +0 \| +1 \| \$12\.50 \| +— \|/);
    expect(a).not.toContain('Merge queue');
  });
});
