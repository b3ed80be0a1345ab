import { describe, expect, it } from 'vitest';
import { LineReader } from '../../harness/target/line-reader.js';

function collect(max: number) {
  const events: string[] = [];
  const reader = new LineReader(
    max,
    (line) => {
      events.push(`line:${line}`);
      return true;
    },
    (bytes) => {
      events.push(`overflow:${bytes}`);
      return true;
    },
  );
  return { events, push: (s: string | Buffer) => reader.push(typeof s === 'string' ? Buffer.from(s) : s), reader };
}

describe('LineReader', () => {
  it('splits lines across and within chunks, and strips a CR before LF', () => {
    const r = collect(100);
    r.push('ab');
    r.push('c\nde');
    r.push('f\r\ng\nh');
    expect(r.events).toEqual(['line:abc', 'line:def', 'line:g']);
    r.push('\n');
    expect(r.events.at(-1)).toBe('line:h');
  });

  it('keeps a multi-byte character split between chunks intact', () => {
    const r = collect(100);
    const bytes = Buffer.from('é€\n');
    r.push(bytes.subarray(0, 1));
    r.push(bytes.subarray(1, 3));
    r.push(bytes.subarray(3));
    expect(r.events).toEqual(['line:é€']);
  });

  it('reports an oversized line as soon as it crosses the limit, before any newline, and discards the rest', () => {
    const r = collect(10);
    r.push('0123456789A');
    expect(r.events).toEqual(['overflow:11']);
    r.push('x'.repeat(1000));
    r.push('yyy\nok\n');
    expect(r.events).toEqual(['overflow:11', 'line:ok']);
  });

  it('reports an oversized line that arrives whole in one chunk', () => {
    const r = collect(4);
    r.push('12345\nabc\n');
    expect(r.events).toEqual(['overflow:5', 'line:abc']);
  });

  it('stops when a callback says so, and after stop()', () => {
    const events: string[] = [];
    const reader = new LineReader(
      100,
      (line) => {
        events.push(line);
        return false;
      },
      () => false,
    );
    reader.push(Buffer.from('a\nb\n'));
    expect(events).toEqual(['a']);
    reader.stop();
    reader.push(Buffer.from('c\n'));
    expect(events).toEqual(['a']);
  });
});
