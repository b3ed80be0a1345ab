import path from 'node:path';
import { parseFlags } from './args.js';
import { DEFAULT_CONFIG } from './config-path.js';
import { loadConfig } from '../config/load.js';
import { EXIT, usageError, type CliIO } from './io.js';
import { regenerateReports } from '../reports/write.js';

export const REPORT_HELP = `Usage: porter report [--dir DIR | --config FILE]

Rebuilds reports/latest.md and reports/index.html from reports/history.jsonl alone,
for example after pulling a nightly run's history.

Options:
  --dir DIR       the reports folder (default: reports.dir of the config, else ./reports)
  --config FILE   config file whose reports.dir to use (default: ./porter.config.yaml)
  -h, --help      show this help
`;

export async function reportCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags('report', argv, {
    dir: { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(io, parsed.message);
  const { values } = parsed;
  if (values.help) {
    io.stdout(REPORT_HELP);
    return EXIT.ok;
  }
  const dir = values.dir ? path.resolve(io.cwd, values.dir) : await reportsDirFromConfig(io, values.config);
  if (dir === null) return EXIT.usage;
  const done = regenerateReports(dir);
  for (const w of done.warnings) io.stderr(`warning: ${w}\n`);
  if (!done.ok) return usageError(io, `porter report: ${done.message}`);
  io.stdout(`rebuilt ${path.relative(io.cwd, done.files.markdown)} and ${path.relative(io.cwd, done.files.html)} from ${done.records} history record${done.records === 1 ? '' : 's'}\n`);
  return EXIT.ok;
}

/** Without --dir: the config's reports.dir when there is a config, else ./reports. */
async function reportsDirFromConfig(io: CliIO, flag: string | undefined): Promise<string | null> {
  const file = path.resolve(io.cwd, flag ?? DEFAULT_CONFIG);
  const loaded = await loadConfig(file);
  if (loaded.ok) return loaded.config.reports.dir;
  if (flag === undefined) return path.resolve(io.cwd, 'reports');
  io.stderr(`porter: ${loaded.message}\n`);
  return null;
}

