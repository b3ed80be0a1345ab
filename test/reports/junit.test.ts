import { describe, expect, it } from 'vitest';
import { renderJUnit, xmlText } from '../../harness/reports/junit.js';
import { baseCases, makeCase, makeRun } from './fixtures.js';
import { findAll, parseXml } from './xml-check.js';

describe('renderJUnit', () => {
  const run = makeRun(baseCases(), '2024-05-01T02:00:00.000Z');
  const xml = renderJUnit(run);
  const doc = parseXml(xml);

  it('is well-formed XML with one testsuite per phase and the right counts', () => {
    expect(doc.name).toBe('testsuites');
    expect(doc.attrs).toMatchObject({ name: 'porter', tests: '27', failures: '6', errors: '3', skipped: '2', time: '4.321' });
    const suites = findAll(doc, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['lexer', 'parser', 'runtime']);
    const parser = suites[1]!;
    expect(parser.attrs).toMatchObject({ tests: '12', failures: '4', errors: '1', skipped: '0' });
    expect(findAll(parser, 'testcase')).toHaveLength(12);
    expect(findAll(doc, 'testcase')).toHaveLength(run.cases.length);
  });

  it('maps statuses to failure, error, skipped and a passing unexpected pass', () => {
    const byName = new Map(findAll(doc, 'testcase').map((t) => [t.attrs.name, t]));
    const fail = byName.get('test_parser__parser@p8.txt')!;
    expect(fail.attrs.classname).toBe('parser');
    expect(fail.children[0]).toMatchObject({ name: 'failure', attrs: { type: 'kind', message: 'error kind differs: expected SyntaxError, got InvalidOperation' } });
    expect(byName.get('test_parser__parser@p9.txt')!.children[0]).toMatchObject({ name: 'error', attrs: { type: 'timeout' } });
    const crash = byName.get('test_templates__vm@crash&burn.txt')!.children[0]!;
    expect(crash).toMatchObject({ name: 'error', attrs: { type: 'crash', message: 'worker exited with code 2' } });
    expect(crash.text).toContain('panic: runtime error');
    expect(byName.get('test_lexer__lexer@case9.txt')!.children[0]).toMatchObject({ name: 'skipped', attrs: { message: 'raw blocks need the <raw> state & more' } });
    const xpass = byName.get('test_parser__parser@p11.txt')!;
    expect(xpass.children.map((c) => c.name)).toEqual(['system-out']);
    expect(byName.get('test_lexer__lexer@case0.txt')!.children).toEqual([]);
  });

  it('escapes ids and diffs so they round-trip, and keeps no character XML forbids', () => {
    const names = findAll(doc, 'testcase').map((t) => t.attrs.name);
    expect(names).toContain('test_templates__vm@bad"json".txt');
    expect(names).toContain('test_templates__vm@`tick`<b>.txt');
    const lt = findAll(doc, 'testcase').find((t) => t.attrs.name === 'test_parser__parser@p6.txt')!;
    expect(lt.children[0]!.text).toContain('-  <li class="a">Tom &amp; Jerry</li>');
    // The control-character diff: ESC, NUL and BEL are shown, not emitted raw.
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const ctrl = findAll(doc, 'testcase').find((t) => t.attrs.name === 'test_templates__vm@ctrl.txt')!;
    expect(ctrl.children[0]!.text).toContain('-hello\\x1b[31m world');
    expect(ctrl.children[0]!.text).toContain('+hello\\x00 world\\x07');
  });

  it('keeps newlines in attribute values and replaces lone surrogates', () => {
    const r = makeRun([makeCase({ id: 'x\ud800y', phase: 'lexer', status: 'fail', reason: 'two\nlines\r', diff: 'a\u0085b' })], '2024-05-01T00:00:00Z', ['lexer']);
    const t = findAll(parseXml(renderJUnit(r)), 'testcase')[0]!;
    expect(t.attrs.name).toBe('x\ufffdy');
    expect(t.children[0]!.attrs.message).toBe('two\nlines\r');
    expect(t.children[0]!.text).toBe('a\u0085b');
  });

  it('writes an empty phase as an empty testsuite', () => {
    const r = makeRun([], '2024-05-01T00:00:00Z', ['lexer']);
    const d = parseXml(renderJUnit(r));
    expect(findAll(d, 'testsuite')[0]!.attrs).toMatchObject({ name: 'lexer', tests: '0' });
  });

  it('xmlText escapes markup', () => {
    expect(xmlText('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });
});

describe('the XML check used above', () => {
  it('rejects what a strict parser rejects', () => {
    for (const bad of ['<a>&</a>', '<a><b></a>', '<a>\u001b</a>', '<a x="1" x="2"/>', '<a x="<"/>', '<a/><b/>', '<a>&nbsp;</a>', '<a>']) {
      expect(() => parseXml(bad), bad).toThrow();
    }
    expect(parseXml('<a x="&#10;">t&lt;</a>')).toMatchObject({ attrs: { x: '\n' }, text: 't<' });
  });
});
