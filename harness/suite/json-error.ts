/**
 * Finds where strict JSON (RFC 8259, what `JSON.parse` accepts) first goes wrong.
 * Node 20's `JSON.parse` messages give a position only for some errors, so the position is
 * found here, by a small scanner that runs only after `JSON.parse` has already failed.
 */

export interface JsonErrorSpot {
  /** Offset in the text (UTF-16 units). */
  offset: number;
  reason: string;
}

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

export function findJsonError(text: string): JsonErrorSpot | null {
  let i = 0;

  const fail = (reason: string): never => {
    throw new ScanError(i, reason);
  };
  const skipWs = () => {
    while (i < text.length && WS.has(text[i]!)) i++;
  };
  const describe = () => (i >= text.length ? 'end of input' : `'${text[i]}'`);

  const value = (): void => {
    skipWs();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail(`unexpected ${describe()}, expected a value`);
  };

  const object = (): void => {
    i++;
    skipWs();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      skipWs();
      if (text[i] !== '"') fail(`unexpected ${describe()}, expected a double-quoted property name`);
      string();
      skipWs();
      if (text[i] !== ':') fail(`unexpected ${describe()}, expected ':' after property name`);
      i++;
      value();
      skipWs();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`unexpected ${describe()}, expected ',' or '}'`);
    }
  };

  const array = (): void => {
    i++;
    skipWs();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      value();
      skipWs();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`unexpected ${describe()}, expected ',' or ']'`);
    }
  };

  const string = (): void => {
    i++;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return;
      }
      if (code < 0x20) fail('control character in string (escape it)');
      if (code === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i++;
            fail('bad \\u escape in string');
          }
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          i++;
          fail('bad escape in string');
        }
        i += 2;
        continue;
      }
      i++;
    }
    fail('unterminated string');
  };

  const number = (): void => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) fail('bad number');
    i += m![0].length;
  };

  try {
    value();
    skipWs();
    if (i < text.length) fail(`unexpected ${describe()} after the JSON value`);
    return null;
  } catch (e) {
    if (e instanceof ScanError) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}

class ScanError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
