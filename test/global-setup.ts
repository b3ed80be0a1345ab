import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Tests that run the shipped CLI as a real process (`dist/harness/cli/bin.js`) need a build
 * of the current sources, not whatever `dist/` was left behind.
 */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
