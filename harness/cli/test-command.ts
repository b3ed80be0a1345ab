import { defaultFlagValue, parseFlags, positiveInt } from './args.js';
import { loadConfigFor } from './config-path.js';
import { EXIT, usageError, type CliIO } from './io.js';
import { writeOutput } from './output-file.js';
import { createProgress } from './progress.js';
import { renderClosingLine, renderFirstFailures, renderNotices, renderSummaryTable } from './summary.js';
import { runSuite } from '../run/run-suite.js';
import { allRequiredPass } from '../judge/case-status.js';
import { publishTestReports } from './publish-reports.js';

export const TEST_HELP = `Usage: porter test [options]

Runs the target against every snapshot case and judges the output.

Options:
  --config FILE        config file (default: ./porter.config.yaml)
  --phase P            only this phase; repeat for several
  --filter GLOB        only cases whose id matches GLOB (e.g. 'test_lexer__*')
  --workers N          target processes to run at once (default: target.workers)
  --json [FILE]        write the full result model as JSON (no FILE or '-': stdout)
  --junit FILE         write a JUnit XML report
  --update-skiplist    remove skip-list entries whose cases now pass
  --baseline           add every current failure to the skip-list, with its reason
  --strict             also fail on unexpected passes and stale skip entries
  --no-report          do not append to the history or rewrite reports/
  -h, --help           show this help

Exit status: 0 when every case that is not skipped passes, 1 otherwise,
2 for usage, config or suite errors.
`;

export async function testCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags('test', defaultFlagValue(argv, '--json'), {
    config: { type: 'string' },
    phase: { type: 'string', multiple: true },
    filter: { type: 'string' },
    workers: { type: 'string' },
    json: { type: 'string' },
    junit: { type: 'string' },
    'update-skiplist': { type: 'boolean' },
    baseline: { type: 'boolean' },
    strict: { type: 'boolean' },
    'no-report': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(io, parsed.message);
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(TEST_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) return usageError(io, `porter test: unexpected argument "${positionals[0]}"; use --filter GLOB to select cases`);
  const workers = positiveInt('--workers', values.workers);
  if (!workers.ok) return usageError(io, `porter test: ${workers.message}`);

  const config = await loadConfigFor(io, values.config);
  if (!config) return EXIT.usage;

  // With the JSON on stdout, everything meant for people goes to stderr.
  const human = values.json === '-' ? io.stderr : io.stdout;
  const progress = createProgress({ write: human, live: io.isTTY && !io.env.CI && values.json !== '-' });
  const outcome = await runSuite(config, {
    ...(values.phase ? { phases: values.phase } : {}),
    ...(values.filter ? { filter: values.filter } : {}),
    ...(workers.value ? { workers: workers.value } : {}),
    onCase: progress.onCase,
  });
  progress.finish();
  if (!outcome.ok) {
    io.stderr(`porter: ${outcome.message}\n`);
    return EXIT.usage;
  }
  const result = outcome.result;

  human(renderSummaryTable(result.phases));
  const failures = renderFirstFailures(result, 3);
  if (failures) human(`\n${failures}`);
  const notices = renderNotices(result);
  if (notices) human(`\n${notices}`);

  if (values['update-skiplist'] || values.baseline) {
    const { applySkipListChanges } = await import('./skiplist-changes.js');
    const changed = await applySkipListChanges(config, result, { removePassing: Boolean(values['update-skiplist']), baseline: Boolean(values.baseline) });
    if (!changed.ok) {
      io.stderr(`porter: ${changed.message}\n`);
      return EXIT.usage;
    }
    if (changed.summary) human(`${changed.summary}\n`);
  }

  const problems: string[] = [];
  if (values.json) {
    const written = await writeOutput(io, values.json, JSON.stringify(result, null, 2) + '\n');
    if (!written.ok) problems.push(`--json: ${written.message}`);
  }
  const published = await publishTestReports(io, config, result, {
    junit: values.junit,
    history: !values['no-report'],
    partial: Boolean(values.phase?.length || values.filter),
  });
  for (const line of published.lines) human(`${line}\n`);
  problems.push(...published.problems);
  for (const p of problems) io.stderr(`porter: ${p}\n`);

  let ok = allRequiredPass(result.cases);
  if (values.strict && (result.staleSkips.length > 0 || result.cases.some((c) => c.status === 'unexpected-pass'))) {
    human('--strict: unexpected passes or stale skip entries fail the run\n');
    ok = false;
  }
  // The closing line stays the last line, whatever else went wrong.
  human(renderClosingLine(result));
  if (problems.length > 0) return EXIT.usage;
  return ok ? EXIT.ok : EXIT.failures;
}

