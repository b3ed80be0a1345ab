import { describe, expect, it } from 'vitest';
import { describeEarlyExit } from '../../harness/target/start-check.js';

describe('target start messages', () => {
  it('show the command as a shell needs it typed again, and name the setting to edit', () => {
    const m = describeEarlyExit(['node', '-e', 'process.exit(3)', "it's", 'plain-arg.js'], 3, null, '', 'target.command in other.yaml');
    expect(m).toBe(`target command "node -e 'process.exit(3)' 'it'\\''s' plain-arg.js" exited with code 3 right after starting, before any request (target.command in other.yaml); it printed nothing on stderr`);
  });
});
