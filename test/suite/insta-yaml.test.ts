import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseInstaYaml } from '../../harness/suite/insta-yaml.js';

/** What the slow path gives: the `yaml` package with the core schema, or `'error'`. */
function viaYaml(text: string): unknown {
  const doc = parseDocument(`---\n${text}`, { schema: 'core', uniqueKeys: false });
  return doc.errors.length > 0 ? 'error' : doc.toJS();
}

/** The fast reader either declines (`undefined`) or agrees with `yaml` exactly. */
function expectAgreement(text: string): unknown {
  const fast = parseInstaYaml(text);
  if (fast !== undefined) expect({ text, value: fast }).toEqual({ text, value: viaYaml(text) });
  return fast;
}

describe('parseInstaYaml', () => {
  it('reads what insta writes', () => {
    const text = [
      'source: minijinja/tests/test_templates.rs',
      'description: "{{ a ~ b }}\\n{% if x %}\\t\\"q\\" \\\\ \\u001b"',
      'info:',
      '  a: foo',
      '  n: 42',
      '  empty_map: {}',
      '  empty_seq: []',
      '  none: ~',
      '  flag: true',
      '  $settings:',
      '    markers:',
      '      - "{"',
      '      - "}"',
      '  seq:',
      '    - - 1',
      '      - x y',
      '    - k: v',
      '      other: /a/b',
      '    - + ',
      'input_file: minijinja/tests/inputs/a.txt',
    ].join('\n');
    expect(parseInstaYaml(text)).toBeUndefined(); // `- + ` has trailing space: declined, to be safe
    const clean = text.replace('    - + ', '    - +');
    expect(expectAgreement(clean)).toEqual({
      source: 'minijinja/tests/test_templates.rs',
      description: '{{ a ~ b }}\n{% if x %}\t"q" \\ \x1b',
      info: {
        a: 'foo',
        n: 42,
        empty_map: {},
        empty_seq: [],
        none: null,
        flag: true,
        $settings: { markers: ['{', '}'] },
        seq: [[1, 'x y'], { k: 'v', other: '/a/b' }, '+'],
      },
      input_file: 'minijinja/tests/inputs/a.txt',
    });
  });

  it('declines what it does not fully understand, and otherwise agrees with yaml', () => {
    const tricky = [
      'a: 2019-01-01',
      'a: 1_000',
      'a: 0x10',
      'a: 1.5',
      'a: .inf',
      'a: -1',
      'a: 007',
      'a: Null',
      'a: TRUE',
      'a: ',
      'a:  x',
      'a: x # comment',
      'a: x#y',
      'a: b: c',
      'a: b:',
      'a: &anchor x',
      'a: *alias',
      'a: !tag x',
      'a: |\n  block',
      'a: >\n  folded',
      "a: 'single'",
      'a: [1, 2]',
      'a: {b: 1}',
      'a: "\\x1b"',
      'a: "\\e"',
      'a: "tab\tinside"',
      'a: x\x1by',
      'a: x\ty',
      'a: x\u0085y',
      'a: x\uFEFF',
      'a: plain\n  continued',
      'a: plain\n\n  continued',
      'a:\n- x\n- y',
      'a:\n  - x\n  -\n  - y',
      'a:\n  - x\n   - y',
      'a:\n  b: 1\n c: 2',
      '"quoted": key',
      'true: x',
      'a b: c',
      '__proto__: x',
      'a: 1\na: 2',
      '- x\n- y',
      'just text',
      '...',
      '# comment\na: 1',
      'a: x\r\nb: y\r\n',
      'a: "x"\r\nb: "y\\r"',
      '  a: 1',
      'a: "\\ud83d\\ude00 é ✓"',
      'a: é ✓ 😀',
      'a: `x`',
      'a: @x',
      'a: %x',
      'a: -x',
      'a: ?x',
      'a: :x',
      'a: ,x',
      'a: x, y',
      'a: [',
      'a: "unterminated',
      'a: "x" y',
      'a:\n  - - - deep\n    - mid\n  - top',
      'a:\n  - b: 1\n    c:\n      - 2\n  - d',
      '',
      '\n\n',
    ];
    for (const t of tricky) expectAgreement(t);
  });

  it('agrees with yaml on generated headers (deterministic fuzz)', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const keys = ['a', 'b_c', '$s', 'x.y', 'null', 'k-1'];
    const values = ['x', 'x y', '"q"', '"a\\nb"', '~', '[]', '{}', '1', '0', '12', '-', '- x', '1.0', 'a: b', 'a #b', 'é', '"', "'", ' ', 'true', '.5', '/p/q', 'x:', '', '\x1b'];
    let accepted = 0;
    for (let n = 0; n < 3000; n++) {
      const lines: string[] = [];
      const count = 1 + rand(5);
      for (let l = 0; l < count; l++) {
        const indent = ' '.repeat([0, 0, 0, 2, 2, 4, 1][rand(7)]!);
        const shape = rand(4);
        if (shape === 0) lines.push(`${indent}${keys[rand(keys.length)]}:`);
        else if (shape === 1) lines.push(`${indent}- ${values[rand(values.length)]}`);
        else lines.push(`${indent}${keys[rand(keys.length)]}: ${values[rand(values.length)]}`);
      }
      if (expectAgreement(lines.join('\n')) !== undefined) accepted++;
    }
    expect(accepted).toBeGreaterThan(100); // the fuzz reaches the fast path, not only the bail-outs
  });

  const snapDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/suites/minijinja/minijinja/tests/snapshots');
  it.skipIf(!fs.existsSync(snapDir))('reads every MiniJinja header itself, as yaml would', () => {
    let fast = 0;
    const names = fs.readdirSync(snapDir).filter((n) => n.endsWith('.snap'));
    for (const name of names) {
      const text = fs.readFileSync(path.join(snapDir, name), 'utf8');
      const header = text.slice(4, text.indexOf('\n---', 3) + 1);
      if (expectAgreement(header) !== undefined) fast++;
    }
    expect(fast / names.length).toBeGreaterThan(0.95);
  });
});
