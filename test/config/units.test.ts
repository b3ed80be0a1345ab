import { describe, expect, it } from 'vitest';
import { parseCommand, readCommand } from '../../harness/config/command.js';
import { didYouMean } from '../../harness/config/did-you-mean.js';
import { parseDuration } from '../../harness/config/duration.js';
import { parseSize } from '../../harness/config/size.js';

describe('parseDuration', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['0.25s', 250],
    [' 3s ', 3000],
    ['250', 250],
    [750, 750],
    [0, 0],
    ['0s', 0],
    [1.4, 1],
  ])('%j is %d ms', (v, ms) => {
    expect(parseDuration(v)).toBe(ms);
  });

  it.each(['1d', '10 sec', 's', '', '-1s', '1e3', '1.2.3s', '10S'])('%j is not a duration', (v) => {
    expect(parseDuration(v)).toBeNull();
  });

  it.each([-5, Number.NaN, Infinity, null, undefined, true, ['1s'], { s: 1 }])('%j is not a duration', (v) => {
    expect(parseDuration(v)).toBeNull();
  });
});

describe('parseSize', () => {
  it.each([
    ['1MiB', 1024 * 1024],
    ['512KiB', 512 * 1024],
    ['2GiB', 2 * 1024 ** 3],
    ['1MB', 1_000_000],
    ['64kb', 64_000],
    ['100B', 100],
    ['1.5KiB', 1536],
    ['4096', 4096],
    [65536, 65536],
  ])('%j is %d bytes', (v, bytes) => {
    expect(parseSize(v)).toBe(bytes);
  });

  it.each(['1 megabyte', 'MiB', '', '-1KiB', '1TiB', 1.5, -1, null, [1]])('%j is not a size', (v) => {
    expect(parseSize(v)).toBeNull();
  });
});

describe('parseCommand', () => {
  it('splits a shell-style string with quotes and escapes', () => {
    expect(parseCommand('python3 "my adapter.py" --name \'a b\' x\\ y')).toEqual(['python3', 'my adapter.py', '--name', 'a b', 'x y']);
  });

  it('keeps quoted operators and dollars as text', () => {
    expect(parseCommand(`sh -c "go run . | tee out.txt" '$HOME'`)).toEqual(['sh', '-c', 'go run . | tee out.txt', '$HOME']);
  });

  it('accepts a list of strings as argv, untouched', () => {
    expect(parseCommand(['node', 'a b.js', '|', '$X'])).toEqual(['node', 'a b.js', '|', '$X']);
  });

  it.each([
    ['go run . | tee log', '|'],
    ['./port > out.txt', '>'],
    ['make && ./port', '&&'],
    ['./port; echo done', ';'],
    ['./port &', '&'],
    ['node $HOME/port.js', '$HOME'],
    ['node tests/*.js', 'glob tests/*.js'],
    ['node port.js # fast', '# comment'],
  ])('rejects %j, which needs a shell, and suggests sh -c', (cmd, what) => {
    const r = readCommand(cmd);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toContain(`"${what}" needs a shell`);
    expect(r.message).toContain(`sh -c ${JSON.stringify(cmd)}`);
    expect(parseCommand(cmd)).toBeNull();
  });

  it.each([
    ['', 'the command is empty'],
    ['   ', 'the command is empty'],
    [[], 'the command list is empty'],
    [['node', 3], 'item 1 of the command list is not a string'],
    [['', 'x'], 'the program name (first item) is empty'],
    ['"" x', 'the program name is empty'],
    [42, 'expected a command string or a list of strings'],
    [{ run: 'x' }, 'expected a command string or a list of strings'],
  ])('rejects %j: %s', (v, message) => {
    expect(readCommand(v)).toEqual({ ok: false, message });
  });
});

describe('didYouMean', () => {
  const keys = ['command', 'protocol', 'workers', 'timeout', 'cwd', 'max_output'];
  it.each([
    ['timout', 'timeout'],
    ['Timeout', 'timeout'],
    ['max-output', 'max_output'],
    ['maxOutput', 'max_output'],
    ['worker', 'workers'],
    ['comand', 'command'],
    ['max', 'max_output'],
  ])('%s → %s', (word, near) => {
    expect(didYouMean(word, keys)).toBe(near);
  });

  it('offers nothing for an unrelated word', () => {
    expect(didYouMean('colour', keys)).toBeUndefined();
    expect(didYouMean('x', keys)).toBeUndefined();
  });
});
