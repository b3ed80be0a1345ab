import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Case } from '../../harness/suite/types.js';
import {
  AdapterProcess, errorFacts, loadExample, overrideBody, requestFor, runAll, rustTrimEnd, solutionDir, solves,
  type AdapterResponse,
} from './example-helpers.js';

describe('the example solution, run as a real adapter process', () => {
  let cases: Case[];
  let responses: Map<string, AdapterResponse>;
  let adapter: AdapterProcess;

  beforeAll(async () => {
    cases = (await loadExample()).cases;
    adapter = new AdapterProcess('node', ['adapter.mjs'], solutionDir);
    responses = await runAll(adapter, cases);
  });
  afterAll(() => adapter.close());

  it('covers three phases with error cases in each', () => {
    for (const phase of ['lexer', 'parser', 'runtime']) {
      const ofPhase = cases.filter((c) => c.phase === phase);
      expect(ofPhase.length, phase).toBeGreaterThanOrEqual(8);
      expect(ofPhase.filter((c) => errorFacts(c.snapshot.body)).length, phase).toBeGreaterThanOrEqual(3);
    }
  });

  it('solves every case: the same output, or the same error marker, kind and line', () => {
    const unsolved = cases
      .filter((c) => !solves(overrideBody(c.id) ?? c.snapshot.body, responses.get(c.id)!))
      .map((c) => c.id);
    expect(unsolved).toEqual([]);
  });

  it('matches every ordinary snapshot byte for byte after trim_end, except where an override says why not', () => {
    const differing = cases
      .filter((c) => !errorFacts(c.snapshot.body))
      .filter((c) => rustTrimEnd(c.snapshot.body) !== rustTrimEnd(responses.get(c.id)!.output))
      .map((c) => c.id);
    expect(differing).toEqual(['test_eval__eval@float_format.txt']);
    expect(responses.get('test_eval__eval@float_format.txt')!.output).toBe('1e+21\n0.00005\n10.0\n');
    expect(rustTrimEnd(overrideBody('test_eval__eval@float_format.txt')!)).toBe('1e+21\n0.00005\n10.0');
  });

  it('words some error messages differently from Rust, so only fuzzy matching passes them', () => {
    const errorCases = cases.filter((c) => errorFacts(c.snapshot.body));
    const reworded = errorCases.filter((c) => errorFacts(c.snapshot.body)!.detail !== responses.get(c.id)!.error?.message);
    expect(reworded.length).toBeGreaterThan(errorCases.length / 2);
    // ... but not all of them: a port reproduces some messages exactly.
    expect(reworded.length).toBeLessThan(errorCases.length);
  });

  it('reports each error in the response as well as in the text', () => {
    const c = cases.find((x) => x.id === 'test_eval__eval@err_division_by_zero.txt')!;
    const response = responses.get(c.id)!;
    expect(response.error).toEqual({ kind: 'DivisionByZero', message: 'cannot divide 10 by zero', line: 3 });
    expect(response.output).toContain('division by zero: cannot divide 10 by zero (line 3)');
  });

  it('answers a line that is not JSON with a response and keeps serving', async () => {
    const bad = await adapter.askRaw('{not json');
    expect(bad.id).toBeNull();
    expect(bad.output).toMatch(/^bad request:/);
    const c = cases.find((x) => x.id === 'test_lexer__lexer@program.txt')!;
    const good = await adapter.ask(requestFor(c));
    expect(rustTrimEnd(good.output)).toBe(rustTrimEnd(c.snapshot.body));
  });
});

describe('the solution written stage by stage into an empty target', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(solutionDir, 'stages.json'), 'utf8')) as {
    stages: Array<{ phase: string; files: string[] }>;
  };
  let dir: string;
  let adapter: AdapterProcess;
  let cases: Case[];

  beforeAll(async () => {
    cases = (await loadExample()).cases;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-example-stages-'));
  });
  afterAll(async () => {
    await adapter?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const copyStage = (i: number) => {
    for (const file of manifest.stages[i]!.files) fs.copyFileSync(path.join(solutionDir, file), path.join(dir, file));
  };
  const first = (phase: string) => cases.find((c) => c.phase === phase && !errorFacts(c.snapshot.body))!;

  it('lists every solution module once, lexer first', () => {
    expect(manifest.stages.map((s) => s.phase)).toEqual(['lexer', 'parser', 'runtime']);
    const listed = manifest.stages.flatMap((s) => s.files).sort();
    const modules = fs.readdirSync(solutionDir).filter((f) => f.endsWith('.mjs')).sort();
    expect(listed).toEqual(modules);
  });

  it('answers "not implemented" for stages not written yet, then picks them up without a restart', async () => {
    copyStage(0);
    adapter = new AdapterProcess('node', ['adapter.mjs'], dir);
    const lexer = first('lexer');
    expect(rustTrimEnd((await adapter.ask(requestFor(lexer))).output)).toBe(rustTrimEnd(lexer.snapshot.body));
    expect((await adapter.ask(requestFor(first('parser')))).output).toBe('not implemented: parser');
    expect((await adapter.ask(requestFor(first('runtime')))).output).toBe('not implemented: runtime');

    copyStage(1);
    const parser = first('parser');
    expect(rustTrimEnd((await adapter.ask(requestFor(parser))).output)).toBe(rustTrimEnd(parser.snapshot.body));
    expect((await adapter.ask(requestFor(first('runtime')))).output).toBe('not implemented: runtime');

    copyStage(2);
    const runtime = first('runtime');
    expect(rustTrimEnd((await adapter.ask(requestFor(runtime))).output)).toBe(rustTrimEnd(runtime.snapshot.body));
  });
});
