import path from 'node:path';
import { parseFlags } from './args.js';
import { DEFAULT_CONFIG } from './config-path.js';
import { loadConfig } from '../config/load.js';
import { DEFAULT_KEEP_RUNS, type PorterConfig } from '../config/types.js';
import { EXIT, usageError, type CliIO } from './io.js';
import { regenerateReports } from '../reports/write.js';

export const REPORT_HELP = `Usage: porter report [--dir DIR] [--config FILE]

Rebuilds reports/latest.md and reports/index.html from the history alone
(reports/history.jsonl and the last run's detail in reports/runs/), for example after
pulling a nightly run's history. A history written by an older Porter, with every
case's status in every line, is migrated once: one summary a line, and the per-case
detail of the newest reports.keep_runs runs in reports/runs/.

Options:
  --dir DIR       the reports folder (default: reports.dir of the config, else ./reports)
  --config FILE   config file whose reports.dir and reports.keep_runs to use
                  (default: ./porter.config.yaml when it exists; keep_runs defaults to ${DEFAULT_KEEP_RUNS})
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
  const config = await optionalConfig(io, values.config);
  if (config === undefined) return EXIT.usage;
  const dir = values.dir ? path.resolve(io.cwd, values.dir) : (config?.reports.dir ?? path.resolve(io.cwd, 'reports'));
  const done = regenerateReports(dir, { keepRuns: config?.reports.keepRuns ?? DEFAULT_KEEP_RUNS });
  for (const w of done.warnings) io.stderr(`warning: ${w}\n`);
  if (!done.ok) return usageError(io, `porter report: ${done.message}`);
  for (const n of done.notes) io.stdout(`${n}\n`);
  io.stdout(`rebuilt ${path.relative(io.cwd, done.files.markdown)} and ${path.relative(io.cwd, done.files.html)} from ${done.records} history record${done.records === 1 ? '' : 's'}\n`);
  return EXIT.ok;
}

/**
 * The config named by --config (undefined, after saying why, when it does not load), else
 * ./porter.config.yaml when it loads, else null: a reports folder needs no config.
 */
async function optionalConfig(io: CliIO, flag: string | undefined): Promise<PorterConfig | null | undefined> {
  const loaded = await loadConfig(path.resolve(io.cwd, flag ?? DEFAULT_CONFIG));
  if (loaded.ok) return loaded.config;
  if (flag === undefined) return null;
  io.stderr(`porter: ${loaded.message}\n`);
  return undefined;
}
