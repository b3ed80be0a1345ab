import path from 'node:path';
import type { PorterConfig } from '../config/types.js';
import type { RunResult } from '../run/types.js';
import type { CliIO } from './io.js';
import { writeOutput } from './output-file.js';
import { describeFsError } from '../util/fs-error.js';

/**
 * After `porter test`: JUnit for CI dashboards, the history record, latest.md and
 * index.html, and the GitHub step summary. The run's verdict stands whatever happens to
 * its reports, but an artifact that could not be written is returned as a problem, so the
 * command can exit 2 instead of letting CI pass without it. Returns lines for the user.
 */
export async function publishTestReports(
  io: CliIO,
  config: PorterConfig,
  result: RunResult,
  options: { junit: string | undefined; history: boolean; partial: boolean },
): Promise<{ lines: string[]; problems: string[] }> {
  const lines: string[] = [];
  const problems: string[] = [];
  // The report writers load only when used: `--no-report` runs skip their start-up cost.
  if (options.junit) {
    const { renderJUnit } = await import('../reports/junit.js');
    const written = await writeOutput(io, options.junit, renderJUnit(result));
    if (written.ok) lines.push(`junit: ${options.junit}`);
    else problems.push(`--junit: ${written.message}`);
  }
  if (!options.history) return { lines, problems };
  const { writeReports } = await import('../reports/write.js');
  try {
    const reports = await writeReports(config.reports.dir, {
      kind: 'test',
      run: result,
      workspace: config.target.cwd,
      source: config.source,
      keepRuns: config.reports.keepRuns,
      env: io.env,
      extra: { partial: options.partial },
    });
    for (const w of reports.warnings) io.stderr(`warning: ${w}\n`);
    lines.push(...reports.notes);
    lines.push(`reports: ${path.relative(io.cwd, reports.files.markdown) || reports.files.markdown}, ${path.relative(io.cwd, reports.files.html) || reports.files.html}`);
    if (reports.stepSummary) lines.push(`step summary appended to ${reports.stepSummary}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === undefined) throw err;
    problems.push(`cannot write the reports in ${config.reports.dir}: ${describeFsError(err)}; fix reports.dir in ${path.basename(config.configPath)}, or pass --no-report`);
  }
  return { lines, problems };
}
