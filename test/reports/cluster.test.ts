import { describe, expect, it } from 'vitest';
import { causeFields, clusterFailures, generalize, type Clusterable } from '../../harness/reports/cluster.js';
import { recordFromRun } from '../../harness/reports/history.js';
import { normalizeDetail } from '../../harness/reports/history-normalize.js';
import { renderMarkdown } from '../../harness/reports/markdown.js';
import { inputFeatures } from '../../harness/run/input-features.js';
import { idTokens, wordTokens } from '../../harness/util/word-tokens.js';
import { makeCase, makeRun } from './fixtures.js';

/** A runtime case that printed nothing: its whole expected output is the diff. */
const silent = (name: string, features: string[] = [], phase = 'runtime'): Clusterable => ({
  id: `test_templates__vm@${name}.txt`,
  phase,
  status: 'fail',
  facet: 'output',
  diff: `--- expected\n+++ actual\n@@ -1,2 +0,0 @@\n-${name} line one\n-two\n`,
  printed: '',
  features,
});

const ids = (cl: { cases: Array<{ id: string }> }) => cl.cases.map((c) => c.id.replace(/^.*@|\.txt$/g, ''));
const groups = (list: Array<{ cases: Array<{ id: string }> }>) => list.map(ids).map((g) => g.sort().join(' ')).sort();

/** A phase like MiniJinja's runtime when the target prints nothing: loops, macros, filters and odd ones. */
function silentPhase(): Clusterable[] {
  const cases: Clusterable[] = [];
  for (const n of ['loop_controls', 'loop_else', 'loop_over_none', 'loop_recursive', 'loop_var']) cases.push(silent(n, ['for', 'item', 'in', 'loop', 'endfor']));
  for (const n of ['macro_basic', 'macro_kwargs', 'macro_caller']) cases.push(silent(n, ['macro', 'endmacro', 'in']));
  // Ids that say nothing in common; their inputs share `upper`, a filter no other case uses.
  cases.push(silent('shouting', ['upper', 'title', 'in']), silent('headline', ['upper', 'in']));
  // Share nothing rare at all.
  for (const n of ['adding', 'concat', 'slicing', 'math', 'debug', 'coerce', 'range', 'dict']) cases.push(silent(n, ['in']));
  return cases;
}

describe('clusterFailures by cause', () => {
  it('splits an all-silent phase by the words of its ids, then of its inputs', () => {
    const clusters = clusterFailures(silentPhase(), { maxSize: 5 });
    expect(groups(clusters)).toEqual([
      'adding coerce concat debug dict math range slicing',
      'headline shouting',
      'loop_controls loop_else loop_over_none loop_recursive loop_var',
      'macro_basic macro_caller macro_kwargs',
    ]);
    const byFirst = new Map(clusters.map((c) => [ids(c)[0], c]));
    expect(byFirst.get('loop_controls')).toMatchObject({ label: 'ids with "loop" · target printed nothing', topic: ['loop'], phases: ['runtime'] });
    expect(byFirst.get('shouting')).toMatchObject({ label: 'inputs use "upper" · target printed nothing', topic: ['upper'] });
    // Cases that share no rare word stay together under their symptom, without a topic.
    expect(byFirst.get('adding')).toMatchObject({ label: 'target printed nothing', key: 'printed:' });
    expect(byFirst.get('adding')!.topic).toBeUndefined();
  });

  it('keeps a symptom shared by few cases whole, and the first differing line when the output starts right', () => {
    const few = silentPhase().slice(0, 4);
    expect(clusterFailures(few)).toHaveLength(1);
    const partly = (id: string, line: string): Clusterable => ({
      id, phase: 'p', status: 'fail', facet: 'output', printed: 'Hello',
      diff: `--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n Hello\n-${line}\n+World\n`,
    });
    const clusters = clusterFailures([partly('a', 'world'), partly('b', 'world')]);
    expect(clusters).toEqual([expect.objectContaining({ key: 'line:-world', label: 'first differing line', sample: '-world' })]);
  });

  it('groups by what the target printed, with ids, paths, quoted names and numbers made general', () => {
    const said = (id: string, printed: string): Clusterable => ({
      id: `t__vm@${id}.txt`, phase: 'p', status: 'fail', facet: 'output', printed,
      diff: '--- expected\n+++ actual\n@@ -1 +1 @@\n-expected\n+other\n',
    });
    const clusters = clusterFailures([
      said('a', 'panic: unknown filter "upper" at /src/vm.go:12'),
      said('b', "panic: unknown filter 'lower' at /src/vm.go:40"),
      said('c', 'error in c.txt: line 3'),
      said('d', 'error in d.txt: line 9'),
      said('e', 'something else entirely'),
    ]);
    expect(clusters.map((c) => [c.sample, ids(c).join(' ')])).toEqual([
      ['panic: unknown filter "…" at <path>', 'a b'],
      ['error in <case>: line #', 'c d'],
      ['something else entirely', 'e'],
    ]);
    expect(clusters[0]!.label).toBe('target printed');
    expect(generalize('Error at 0x1f3a in test_x@y.txt (tests/inputs/y.txt:3), it can\'t', 'test_x@y.txt')).toBe('Error at # in <case> <path> it can\'t');
  });

  it('pools output failures that share no symptom and groups them by topic', () => {
    const own = (name: string, line: string, features: string[]): Clusterable => ({
      id: `t__vm@${name}.txt`, phase: 'p', status: 'fail', facet: 'output', printed: line.toUpperCase(),
      diff: `--- expected\n+++ actual\n@@ -1 +1 @@\n-${line}\n+${line.toUpperCase()}\n`, features,
    });
    const clusters = clusterFailures([own('one', 'a', ['include']), own('two', 'b', ['include']), own('three', 'c', ['x'])]);
    expect(clusters.map((c) => [c.label, ids(c).join(' ')])).toEqual([
      ['inputs use "include" · output differs', 'one two'],
      ['target printed', 'three'],
    ]);
  });

  it('ignores words most of the phase uses, and caps topics at maxSize by splitting them', () => {
    const cases: Clusterable[] = [];
    for (let i = 0; i < 8; i++) cases.push(silent(`filter_case${i}`, ['common', i < 4 ? 'upper' : 'lower']));
    for (let i = 0; i < 24; i++) cases.push(silent(`other${i}`, ['common', `only${i}`]));
    const clusters = clusterFailures(cases, { maxSize: 4 });
    expect(clusters.filter((c) => c.topic).every((c) => c.cases.length <= 4)).toBe(true);
    expect(clusters.some((c) => c.topic?.includes('common'))).toBe(false);
    const filters = clusters.filter((c) => c.topic?.[0] === 'filter');
    expect(groups(filters)).toEqual([
      'filter_case0 filter_case1 filter_case2 filter_case3',
      'filter_case4 filter_case5 filter_case6 filter_case7',
    ]);
    expect(filters.map((c) => c.cases.length)).toEqual([4, 4]);
  });

  it('puts cases with a known common cause together first', () => {
    const cases = silentPhase();
    const fix = new Set(['test_templates__vm@loop_var.txt', 'test_templates__vm@macro_kwargs.txt']);
    const clusters = clusterFailures(cases, { causeOf: (c) => (fix.has(c.id) ? 'src/scope.js' : undefined) });
    expect(clusters.find((c) => c.key === 'cause:src/scope.js')).toMatchObject({ label: 'fixed by one change', sample: 'src/scope.js' });
    expect(ids(clusters.find((c) => c.key === 'cause:src/scope.js')!)).toEqual(['macro_kwargs', 'loop_var'].sort((a, b) => cases.findIndex((c) => c.id.includes(a)) - cases.findIndex((c) => c.id.includes(b))));
    expect(clusters.filter((c) => c.cases.some((x) => fix.has(x.id)))).toHaveLength(1);
  });

  it('gives the same clusters whatever the order of the cases, largest first', () => {
    const cases = silentPhase();
    const shuffled = [...cases].reverse();
    const a = clusterFailures(cases);
    const b = clusterFailures(shuffled);
    expect(groups(b)).toEqual(groups(a));
    expect(new Set(b.map((c) => c.key))).toEqual(new Set(a.map((c) => c.key)));
    for (const list of [a, b]) for (let i = 1; i < list.length; i++) expect(list[i - 1]!.cases.length).toBeGreaterThanOrEqual(list[i]!.cases.length);
    // Within a cluster, cases keep the order they came in.
    expect(ids(b[0]!)).toEqual([...ids(a[0]!)].reverse());
  });

  it('clusters each phase on its own: a phase\'s clusters do not change when other phases are added', () => {
    const runtime = silentPhase();
    const parser = silentPhase().map((c) => ({ ...c, phase: 'parser', id: c.id.replace('vm@', 'parser@') }));
    const both = clusterFailures([...parser, ...runtime]);
    const alone = clusterFailures(runtime);
    const runtimePart = both.map((c) => ({ cases: c.cases.filter((x) => x.phase === 'runtime') })).filter((c) => c.cases.length > 0);
    expect(groups(runtimePart)).toEqual(groups(alone));
    // Equal keys still merge across phases.
    expect(both.find((c) => c.key === 'printed:')!.phases).toEqual(['parser', 'runtime']);
  });
});

describe('what clustering reads', () => {
  it('words of inputs and ids: identifier-like, lower-cased, distinct, bounded', () => {
    expect(wordTokens('{% for x in Items %}{{ x|upper }}{% endfor %} 42 ab')).toEqual(['for', 'in', 'items', 'upper', 'endfor', 'ab']);
    expect(idTokens('test_templates__vm@loop_controls.txt')).toEqual(['test', 'templates', 'vm', 'loop', 'controls', 'txt']);
    expect(inputFeatures({ path: 'x', header: { seq: [1, 2], $settings: { trim_blocks: true } }, headerRaw: null, body: '{{ seq|join }}' })).toEqual(['seq', 'join', 'settings', 'trim_blocks', 'true']);
    expect(inputFeatures({ path: 'x', header: null, headerRaw: null, body: Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ') })).toHaveLength(32);
    expect(inputFeatures(null)).toEqual([]);
  });

  it('what the target printed: its error, else its first non-blank line, else nothing', () => {
    const base = makeCase({ id: 'a', phase: 'p', status: 'fail' });
    expect(causeFields({ ...base, actual: '\n\n  Hello   world \nmore' }).printed).toBe('Hello world');
    expect(causeFields({ ...base, actual: '' }).printed).toBe('');
    expect(causeFields({ ...base, actual: '!!!ERROR!!!', actualFacets: { kind: 'SyntaxError', message: 'bad', source: 'response' } }).printed).toBe('SyntaxError: bad');
    expect(causeFields({ ...base, actual: 'x'.repeat(500) }).printed).toHaveLength(160);
    expect(causeFields(base).printed).toBeUndefined();
  });

  it('the history keeps it, so reports cluster the same from the run and from the history alone', () => {
    const names = [...[0, 1, 2, 3, 4, 5].map((i) => `loop_${i}`), ...[0, 1, 2, 3, 4, 5].map((i) => `macro_${i}`), 'odd', 'even', 'add', 'sub', 'mul', 'div', 'neg', 'abs'];
    const cases = names.map((n, i) =>
      makeCase({
        id: `test_templates__vm@${n}.txt`, phase: 'runtime', status: 'fail', facet: 'output', actual: '',
        diff: `--- expected\n+++ actual\n@@ -1 +0,0 @@\n-${n}\n`, features: i < 12 ? ['shared'] : [`own${i}`],
      }),
    );
    const run = makeRun(cases, '2024-06-01T00:00:00.000Z', ['runtime']);
    // What a run's detail file keeps, read back as `porter report` reads it.
    const { record, detail } = recordFromRun(run, null, { kind: 'test', rev: null });
    const kept = normalizeDetail(JSON.parse(JSON.stringify(detail)), record.time)!;
    expect(kept.failures![0]).toMatchObject({ printed: '', features: ['shared'] });
    const fromHistory = renderMarkdown({ records: [record], results: kept });
    expect(fromHistory).toBe(renderMarkdown({ records: [record], results: kept }, run));
    expect(fromHistory).toContain('## Failing cases: 20 in 3 clusters');
    expect(fromHistory).toContain('### 2. ids with "loop" · target printed nothing — 6 cases (runtime)');
  });
});
