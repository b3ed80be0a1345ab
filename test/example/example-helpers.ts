/**
 * Helpers for the bundled example's tests: where its parts live, a real adapter process
 * driven over the stdio protocol, and the facts of an error snapshot.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../harness/config/load.js';
import type { PorterConfig } from '../../harness/config/types.js';
import { toRequest } from '../../harness/run/run-suite.js';
import { loadSuite } from '../../harness/suite/load-suite.js';
import type { Case } from '../../harness/suite/types.js';
import type { TargetRequest } from '../../harness/target/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const exampleDir = path.join(repoRoot, 'fixtures/example');
export const solutionDir = path.join(exampleDir, 'solution');
export const targetDir = path.join(exampleDir, 'target');
export const rootConfigPath = path.join(repoRoot, 'porter.config.yaml');

/** The expected body an override gives a case (`fixtures/example/overrides/<id>.snap`), if any. */
export function overrideBody(id: string): string | undefined {
  const file = path.join(exampleDir, 'overrides', `${id}.snap`);
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8');
  return text.slice(text.indexOf('\n---\n', 3) + '\n---\n'.length);
}

export const MARKERS = ['!!!ERROR!!!', '!!!SYNTAX ERROR!!!'];

export async function loadExample(configPath = rootConfigPath): Promise<{ config: PorterConfig; cases: Case[] }> {
  const loaded = await loadConfig(configPath);
  if (!loaded.ok) throw new Error(loaded.message);
  const suite = await loadSuite(loaded.config);
  if (!suite.ok) throw new Error(suite.message);
  return { config: loaded.config, cases: suite.suite.cases };
}

export function requestFor(c: Case): TargetRequest {
  return toRequest(c, {});
}

export interface AdapterResponse {
  id: string | null;
  output: string;
  error?: { kind?: string; message?: string; line?: number };
}

/** One long-lived adapter process; `ask` sends a line and waits for the next response line. */
export class AdapterProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<(line: string) => void> = [];
  private stderr = '';

  constructor(command: string, args: string[], cwd: string) {
    this.child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.(line));
  }

  /** Sends one raw protocol line (without the newline). */
  askRaw(line: string): Promise<AdapterResponse> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`adapter exited with ${code}: ${this.stderr}`));
      this.child.once('exit', onExit);
      this.waiting.push((response) => {
        this.child.off('exit', onExit);
        resolve(JSON.parse(response) as AdapterResponse);
      });
      this.child.stdin.write(line + '\n');
    });
  }

  ask(request: TargetRequest): Promise<AdapterResponse> {
    return this.askRaw(JSON.stringify(request));
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
  }
}

/** Runs every case through one adapter process, in order. */
export async function runAll(adapter: AdapterProcess, cases: readonly Case[]): Promise<Map<string, AdapterResponse>> {
  const out = new Map<string, AdapterResponse>();
  for (const c of cases) out.set(c.id, await adapter.ask(requestFor(c)));
  return out;
}

// Rust's `str::trim_end` trims Unicode White_Space, which differs from JavaScript's `trimEnd`.
const RUST_TRAILING_WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/u;

export function rustTrimEnd(text: string): string {
  return text.replace(RUST_TRAILING_WHITESPACE, '');
}

export interface ErrorFacts {
  marker: string;
  kind: string;
  line: number;
  detail: string;
}

/** Marker, kind, line and detail of an error body in the example's Debug form; null for ordinary output. */
export function errorFacts(body: string): ErrorFacts | null {
  const marker = MARKERS.find((m) => body.startsWith(m + '\n'));
  if (!marker) return null;
  const m = /Error \{\n {4}kind: (\w+),\n {4}detail: ("(?:[^"\\]|\\.)*"),\n {4}line: (\d+),\n\}/.exec(body);
  if (!m) throw new Error(`error body without a Debug struct:\n${body}`);
  return { marker, kind: m[1]!, detail: JSON.parse(m[2]!) as string, line: Number(m[3]) };
}

/**
 * Whether `actual` solves a case: equal after Rust's trim_end, or, for an error snapshot, the
 * same marker, kind and line (messages are worded differently by design; the harness judges them).
 */
export function solves(expected: string, actual: AdapterResponse): boolean {
  if (rustTrimEnd(expected) === rustTrimEnd(actual.output)) return true;
  const want = errorFacts(expected);
  if (!want) return false;
  const got = errorFacts(actual.output);
  return got !== null && got.marker === want.marker && got.kind === want.kind && got.line === want.line
    && actual.error?.kind === want.kind && actual.error?.line === want.line;
}
