import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../harness/config/load.js';
import { computeDrift } from '../../harness/sync/drift.js';
import { renderDriftTask } from '../../harness/sync/drift-task.js';
import type { Drift } from '../../harness/sync/types.js';
import { createSyncFixture, SUBJECTS, type SyncFixture } from './sync-fixture.js';

describe('the drift part of an agent task message', () => {
  let f: SyncFixture;
  let drift: Drift;
  beforeAll(async () => {
    f = createSyncFixture();
    const loaded = await loadConfig(path.join(f.dir, 'porter.config.yaml'));
    if (!loaded.ok) throw new Error(loaded.message);
    const found = await computeDrift(loaded.config, { from: f.revs[0] });
    if (!found.ok) throw new Error(found.message);
    drift = found.drift;
  });
  afterAll(() => f.remove());

  it('shows each changed case with the commits that touched it and its old and new expected output', () => {
    const text = renderDriftTask(drift);
    const short = (i: number) => f.revs[i]!.slice(0, 7);
    expect(text).toContain(`The source project moved ${short(0)} (2026-01-05) → ${short(2)} (2026-03-15).`);
    expect(text).toContain(`- ${short(2)} ${SUBJECTS[2]}\n- ${short(1)} ${SUBJECTS[1]}`);
    expect(text).toContain('Added upstream (1): new cases to make pass: test_upper__upper@f.txt');
    expect(text).toContain('### test_upper__upper@b.txt (upper): expected output changed; input changed');
    expect(text).toContain(`Upstream commits: ${short(1)} "${SUBJECTS[1]}"`);
    expect(text).toContain('```diff\n--- tests/snapshots/test_upper__upper@b.txt.snap');
    expect(text).toContain('-BRAVO\n+BRAVO!\n```');
    expect(text).toContain("### test_upper__refs@r1.txt (refs): the phase's extra files changed");
    expect(text).toContain('Changed extra files of the phase: tests/refs/base.txt');
    expect(text).toContain('Removed upstream (1), reported only (nothing to do, nothing is deleted): test_upper__upper@a.txt');
    // Metadata-only changes are not work for the agent.
    expect(text).not.toContain('test_upper__upper@d.txt');
  });

  it('narrows to the cases of the task, and lists the changed cases past the limit by id', () => {
    const phase = renderDriftTask(drift, { ids: new Set(['test_upper__refs@r1.txt']) });
    expect(phase).toContain('Changed upstream (1)');
    expect(phase).not.toContain('test_upper__upper@b.txt');
    expect(phase).not.toContain('Added upstream');
    const short = renderDriftTask(drift, { maxCases: 1 });
    expect(short).toContain('… and 2 more changed: test_upper__upper@c.txt, test_upper__refs@r1.txt');
    expect(renderDriftTask(drift, { ids: new Set(['test_upper__upper@d.txt']) })).toContain('None of the cases in this task changed upstream.');
  });
});
