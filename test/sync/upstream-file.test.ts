import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PorterConfig } from '../../harness/config/types.js';
import { readUpstream, workspaceOf, writeUpstream } from '../../harness/sync/upstream-file.js';
import { useTempDir } from '../support/temp-dir.js';

const REV = 'a'.repeat(40);

describe('porter.upstream.json', () => {
  const tmp = useTempDir('upstream');

  it('is absent until written, then reads back what was written', () => {
    expect(readUpstream(tmp.dir)).toEqual({ ok: true, upstream: null, file: path.join(tmp.dir, 'porter.upstream.json') });
    const file = writeUpstream(tmp.dir, { rev: REV, date: '2026-03-15T09:15:00Z', cases: 226 });
    expect(fs.readFileSync(file, 'utf8')).toBe(`{\n  "rev": "${REV}",\n  "date": "2026-03-15T09:15:00Z",\n  "cases": 226\n}\n`);
    expect(readUpstream(tmp.dir)).toMatchObject({ ok: true, upstream: { rev: REV, date: '2026-03-15T09:15:00Z', cases: 226 } });
  });

  it('names the file and the problem when it cannot be used', () => {
    tmp.write('porter.upstream.json', '{"rev": ');
    const broken = readUpstream(tmp.dir);
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.message).toMatch(/porter\.upstream\.json: not valid JSON .*porter sync --accept/);
    tmp.write('porter.upstream.json', '{"rev": "HEAD"}');
    const bad = readUpstream(tmp.dir);
    if (bad.ok) throw new Error('expected an error');
    expect(bad.message).toContain('`rev` must be a full commit hash of the source project, got "HEAD"');
  });

  it('lives in agent.workspace, else beside the config', () => {
    const base = { configDir: '/p/conf' } as PorterConfig;
    expect(workspaceOf(base)).toBe('/p/conf');
    expect(workspaceOf({ ...base, agent: { workspace: '../port' } })).toBe('/p/port');
  });
});
