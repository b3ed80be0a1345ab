import { defaultFlagValue, parseFlags } from './args.js';
import { loadConfigFor } from './config-path.js';
import { EXIT, usageError, type CliIO } from './io.js';
import { writeOutput } from './output-file.js';
import { loadSuite } from '../suite/load-suite.js';
import { loadSkipList } from '../skiplist/skiplist.js';

export const LIST_HELP = `Usage: porter list [options]

Lists the cases of each phase with their input files, how each input was
found (input_file, glob-name, rule N) and skip status. Cases that cannot run
(missing or ambiguous input, malformed input, binary snapshot) are flagged;
snapshots whose input is Rust code (no input file at all) are counted apart.

Options:
  --config FILE   config file (default: ./porter.config.yaml)
  --phase P       only this phase; repeat for several
  --json [FILE]   write the listing as JSON (no FILE or '-': stdout)
  -h, --help      show this help
`;

export interface ListedCase {
  id: string;
  phase: string;
  snapshot: string;
  input: string | null;
  /** How the input was found: `input_file`, `glob-name`, `rule N` (the phase's Nth input rule), or null. */
  via: string | null;
  /** The named groups of the input rule that found the input (`{}` otherwise): the request's `params`. */
  params: Record<string, string>;
  /** No input file at all: the snapshot's input is Rust code. */
  rustCode: boolean;
  skipped: string | null;
  problem: string | null;
}

export async function listCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags('list', defaultFlagValue(argv, '--json'), {
    config: { type: 'string' },
    phase: { type: 'string', multiple: true },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(io, parsed.message);
  const { values } = parsed;
  if (values.help) {
    io.stdout(LIST_HELP);
    return EXIT.ok;
  }
  const config = await loadConfigFor(io, values.config);
  if (!config) return EXIT.usage;
  const names = config.phases.map((p) => p.name);
  const unknown = values.phase?.find((p) => !names.includes(p));
  if (unknown) return usageError(io, `porter list: unknown phase "${unknown}" (phases: ${names.join(', ')})`);

  const loaded = await loadSuite(config);
  if (!loaded.ok) return usageError(io, `porter: ${loaded.message}`);
  const skips = await loadSkipList(config.skiplist, names);
  if (!skips.ok) return usageError(io, `porter: ${skips.message}`);

  const wanted = new Set(values.phase?.length ? values.phase : names);
  const cases: ListedCase[] = loaded.suite.cases
    .filter((c) => wanted.has(c.phase))
    .map((c) => ({
      id: c.id,
      phase: c.phase,
      snapshot: c.snapshot.path,
      input: c.input?.path ?? null,
      via: c.inputVia === 'rule' ? `rule ${c.inputRule}` : (c.inputVia ?? null),
      params: c.params ?? {},
      rustCode: c.rustCode === true,
      skipped: skips.list.match(c.id, c.phase)?.reason ?? null,
      problem: c.problem ?? null,
    }));
  const warnings = [...loaded.suite.warnings, ...skips.warnings];
  const { unassigned, unassignedRustCode } = loaded.suite;
  const rustCode = [...cases.filter((c) => c.rustCode).map((c) => c.id), ...unassignedRustCode];

  if (values.json) {
    const doc = { phases: [...wanted], cases, unassigned, rustCode, warnings };
    const written = await writeOutput(io, values.json, JSON.stringify(doc, null, 2) + '\n');
    if (!written.ok) return usageError(io, `porter: --json: ${written.message}`);
    if (values.json === '-') return EXIT.ok;
  }

  const lines: string[] = [];
  for (const phase of names.filter((p) => wanted.has(p))) {
    const inPhase = cases.filter((c) => c.phase === phase);
    const skipped = inPhase.filter((c) => c.skipped !== null).length;
    lines.push(`${phase} (${inPhase.length} cases${skipped ? `, ${skipped} skipped` : ''})`);
    for (const c of inPhase) {
      const problem = c.problem && !c.rustCode ? `ERROR: ${c.problem}` : '';
      const notes = [c.skipped !== null ? `skip: ${c.skipped}` : '', problem].filter(Boolean);
      const input = c.rustCode ? '(no input file: Rust code)' : c.input ? `${c.input}  (${c.via})` : '(no input)';
      lines.push(`  ${c.id}  <- ${input}${notes.length ? `  [${notes.join('; ')}]` : ''}`);
    }
  }
  if (unassigned.length > 0) {
    const rust = new Set(unassignedRustCode);
    lines.push(`not in any phase (${unassigned.length}):`);
    lines.push(...unassigned.map((id) => `  ${id}${rust.has(id) ? '  (no input file: Rust code)' : ''}`));
  }
  if (rustCode.length > 0) {
    const inPhases = rustCode.length - unassignedRustCode.length;
    lines.push(`input is Rust code, no input file: ${rustCode.length} snapshot(s) (${inPhases} in phases, ${unassignedRustCode.length} not in any phase)`);
  }
  io.stdout(lines.join('\n') + '\n');
  const problems = cases.filter((c) => c.problem && !c.rustCode);
  for (const c of problems) io.stderr(`warning: ${c.id}: ${c.problem}\n`);
  for (const w of warnings) io.stderr(`warning: ${w}\n`);
  return EXIT.ok;
}

