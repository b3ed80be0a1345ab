import { describe, expect, it } from 'vitest';
import { createEmbeddedQueue } from '../../../harness/agent/parallel/queue/embedded-queue.js';
import { openWorkQueue } from '../../../harness/agent/parallel/queue/open-queue.js';
import { describeWorkQueue, IDENTITY } from './work-queue-contract.js';

describeWorkQueue('the embedded', {
  async open(opts = {}) {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const queue = createEmbeddedQueue({ identity: IDENTITY, ...opts, clock: () => now });
    return {
      coordinator: queue,
      join: async () => queue,
      elapse: async (ms) => {
        now += ms;
      },
    };
  },
  async closeAll() {},
});

describe('opening a work queue', () => {
  it('opens the embedded queue for the coordinator only', async () => {
    const q = await openWorkQueue('embedded', { role: 'coordinator', identity: IDENTITY });
    expect(q.ok && q.queue.location).toBe('embedded');
    expect(await openWorkQueue('embedded', { role: 'worker' })).toEqual({ ok: false, error: expect.stringContaining('workers on other machines need --queue postgres://') });
  });

  it('refuses a location that is neither, without echoing a password', async () => {
    const r = await openWorkQueue('mysql://me:hunter22@db/x', { role: 'worker' });
    expect(r).toEqual({ ok: false, error: '--queue mysql://me@db/x: give a postgres:// URL (or leave --queue out to run on this machine)' });
  });
});
