import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['harness/**/*.test.ts', 'test/**/*.test.ts'],
    // Many tests spawn real processes; 2-core CI machines need headroom.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most test files wait on processes (targets, git, the CLI) rather than compute: vitest's
    // default of one worker per core but one left a 2-core machine half idle. Two files per
    // core measured fastest there; capped so a large machine does not fork dozens.
    maxWorkers: Math.min(8, 2 * os.availableParallelism()),
  },
});
