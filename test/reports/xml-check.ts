/**
 * A small strict XML 1.0 well-formedness checker for the JUnit tests: it throws on any
 * malformed markup (unbalanced tags, raw `<`/`&`, unknown entities, duplicate attributes,
 * characters XML forbids) and returns the element tree with entities decoded.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9._:]*/y;
const LEGAL = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;
const ENTITY: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  if (raw.includes('<')) throw new Error(`raw '<' at ${where}`);
  return raw.replace(/&([^;]*);|&/g, (_match, ref: string | undefined) => {
    if (ref === undefined) throw new Error(`bare '&' at ${where}`);
    if (ref in ENTITY) return ENTITY[ref]!;
    const num = /^#x([0-9a-fA-F]+)$/.exec(ref) ?? /^#([0-9]+)$/.exec(ref);
    if (!num) throw new Error(`unknown entity &${ref}; at ${where}`);
    const cp = parseInt(num[1]!, ref.startsWith('#x') ? 16 : 10);
    const ch = String.fromCodePoint(cp);
    if (!LEGAL.test(ch)) throw new Error(`illegal character reference &${ref}; at ${where}`);
    return ch;
  });
}

export function parseXml(xml: string): XmlElement {
  if (!LEGAL.test(xml)) throw new Error('document contains characters XML 1.0 forbids');
  let i = 0;
  const skipWs = () => {
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
  };
  const name = () => {
    NAME.lastIndex = i;
    const m = NAME.exec(xml);
    if (!m) throw new Error(`name expected at ${i}`);
    i += m[0].length;
    return m[0];
  };
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  skipWs();
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < xml.length) {
    if (xml.startsWith('</', i)) {
      i += 2;
      const n = name();
      skipWs();
      if (xml[i] !== '>') throw new Error(`'>' expected at ${i}`);
      i++;
      const open = stack.pop();
      if (!open || open.name !== n) throw new Error(`</${n}> does not close <${open?.name}>`);
      if (stack.length === 0) break;
    } else if (xml[i] === '<') {
      i++;
      const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
      for (;;) {
        const before = i;
        skipWs();
        if (xml.startsWith('/>', i) || xml[i] === '>') break;
        if (i === before) throw new Error(`whitespace expected before attribute at ${i}`);
        const a = name();
        if (a in el.attrs) throw new Error(`duplicate attribute ${a} on <${el.name}>`);
        skipWs();
        if (xml[i] !== '=') throw new Error(`'=' expected at ${i}`);
        i++;
        skipWs();
        const q = xml[i];
        if (q !== '"' && q !== "'") throw new Error(`quote expected at ${i}`);
        const end = xml.indexOf(q, i + 1);
        if (end < 0) throw new Error('unterminated attribute');
        el.attrs[a] = decode(xml.slice(i + 1, end), i);
        i = end + 1;
      }
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) throw new Error('more than one root element');
      else root = el;
      if (xml.startsWith('/>', i)) {
        i += 2;
        if (stack.length === 0) break;
      } else {
        i++;
        stack.push(el);
      }
    } else {
      const end = xml.indexOf('<', i);
      const raw = xml.slice(i, end < 0 ? xml.length : end);
      if (stack.length === 0) throw new Error(`text outside the root element at ${i}`);
      stack[stack.length - 1]!.text += decode(raw, i);
      i += raw.length;
    }
  }
  if (stack.length) throw new Error(`<${stack[stack.length - 1]!.name}> not closed`);
  skipWs();
  if (i < xml.length) throw new Error(`content after the root element at ${i}`);
  if (!root) throw new Error('no root element');
  return root;
}

export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}
