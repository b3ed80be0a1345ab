import fs from 'node:fs/promises';
import path from 'node:path';
import { parseFlags } from './args.js';
import { DEFAULT_CONFIG } from './config-path.js';
import { EXIT, usageError, type CliIO } from './io.js';
import { writeOutput } from './output-file.js';
import { buildInitConfig } from '../suite/init.js';

export const INIT_HELP = `Usage: porter init [--source DIR] [--force]

Finds the insta snapshots of a source project and writes a starting
porter.config.yaml in the current folder, with the cases grouped into phases
(lexer before parser before the rest, when the snapshot names say so).
Snapshots whose names embed their input file's name (generated tests, with no
input_file header and no @<input> part) get input_rules, one phase per
subcommand or other varying part of their ids; snapshots whose input is Rust
code are left out and counted.

Options:
  --source DIR   root of the source project (default: the current folder)
  --force        overwrite an existing porter.config.yaml
  -h, --help     show this help
`;

export async function initCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags('init', argv, {
    source: { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(io, parsed.message);
  const { values } = parsed;
  if (values.help) {
    io.stdout(INIT_HELP);
    return EXIT.ok;
  }
  const source = path.resolve(io.cwd, values.source ?? '.');
  const target = path.join(io.cwd, DEFAULT_CONFIG);
  if (!values.force && (await exists(target))) {
    return usageError(io, `porter init: ${DEFAULT_CONFIG} already exists here; pass --force to overwrite it`);
  }
  const stat = await fs.stat(source).catch(() => null);
  if (!stat?.isDirectory()) return usageError(io, `porter init: --source ${values.source ?? '.'} is not a folder`);

  const built = await buildInitConfig(source, io.cwd);
  if (!built.ok) return usageError(io, `porter init: ${built.message}`);
  const written = await writeOutput(io, target, built.yaml);
  if (!written.ok) return usageError(io, `porter init: ${written.message}`);
  io.stdout(`${built.summary}\nwrote ${DEFAULT_CONFIG}: set target.command to the command that starts your adapter, then run \`porter list\`\n`);
  return EXIT.ok;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

