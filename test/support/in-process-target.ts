/**
 * The bundled example's target without a process, for tests that exercise what judges the
 * target rather than the target itself. It looks at the files in the target folder the way
 * the example's adapter would load them: a phase whose module is missing answers
 * `not implemented`; a module that is the solution's own file, with every module it imports
 * also the solution's, answers as the solution does (its code runs in this process); any
 * other module answers something wrong. A missing or foreign adapter does not start.
 * Everything around it (suite, skip-list, overrides, judging) is the real `runSuite`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PorterConfig } from '../../harness/config/types.js';
import type { SuiteRunner } from '../../harness/agent/verdict.js';
import { runSuite } from '../../harness/run/run-suite.js';
import type { TargetError, TargetOutcome, TargetRequest, TargetRunner } from '../../harness/target/types.js';

const solutionDir = path.resolve(import.meta.dirname, '../../fixtures/example/solution');
const PHASES = new Set(['lexer', 'parser', 'runtime']);

type Module = { runCase(request: TargetRequest): Promise<{ output: string; error?: TargetError }> | { output: string; error?: TargetError } };

const solutionText = (file: string) => fs.readFileSync(path.join(solutionDir, file), 'utf8');
/** The solution modules a module imports (`./lexer.mjs`), read from the solution's own file. */
const importsOf = (file: string) => [...solutionText(file).matchAll(/from '\.\/([\w-]+\.mjs)'/g)].map((m) => m[1]!);

export function inProcessTarget(config: PorterConfig): TargetRunner {
  const cwd = config.target.cwd;
  const isSolution = (file: string) => {
    const p = path.join(cwd, file);
    return fs.existsSync(p) && fs.readFileSync(p, 'utf8') === solutionText(file);
  };
  // Loaded once per runner, as each worker of the real adapter loads a module once.
  const loaded = new Map<string, Promise<Module | string>>();

  async function load(phase: string): Promise<Module | string | undefined> {
    const file = `${phase}.mjs`;
    if (!fs.existsSync(path.join(cwd, file))) return undefined;
    if (!loaded.has(phase)) {
      loaded.set(phase, (async () => {
        if (!isSolution(file)) return `${file} is not the bundled solution's module`;
        const foreign = importsOf(file).find((dep) => !isSolution(dep));
        if (foreign) return `cannot load ${file}: its import ./${foreign} is not the bundled solution's module`;
        return (await import(pathToFileURL(path.join(solutionDir, file)).href)) as Module;
      })());
    }
    return loaded.get(phase);
  }

  return {
    async start() {
      if (isSolution('adapter.mjs')) return { ok: true };
      const what = fs.existsSync(path.join(cwd, 'adapter.mjs')) ? 'is not the bundled solution\'s adapter' : 'does not exist';
      return { ok: false, message: `target command "${config.target.command.join(' ')}" exited with code 1 right after starting, before any request (in-process target: ${path.join(cwd, 'adapter.mjs')} ${what})` };
    },
    async run(request): Promise<TargetOutcome> {
      // Through JSON, as the protocol carries it.
      const req = JSON.parse(JSON.stringify(request)) as TargetRequest;
      if (!PHASES.has(req.phase)) return { status: 'output', output: `unknown phase: ${req.phase}`, durationMs: 0 };
      const module = await load(req.phase);
      if (module === undefined) return { status: 'output', output: `not implemented: ${req.phase}`, durationMs: 0 };
      if (typeof module === 'string') return { status: 'output', output: module, durationMs: 0 };
      try {
        const { output, error } = await module.runCase(req);
        return { status: 'output', output, ...(error ? { error } : {}), durationMs: 0 };
      } catch (err) {
        return { status: 'output', output: `internal error in ${req.phase}: ${(err as Error).stack ?? err}`, durationMs: 0 };
      }
    },
    async close() {},
  };
}

/** The real `runSuite` over the in-process target. */
export const inProcessSuite: SuiteRunner = (config, options) => runSuite(config, { ...options, createRunner: (c) => inProcessTarget(c) });
