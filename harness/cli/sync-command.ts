import path from 'node:path';
import { defaultFlagValue, parseFlags } from './args.js';
import { loadConfigFor } from './config-path.js';
import { EXIT, usageError, type CliIO } from './io.js';
import { writeOutput } from './output-file.js';
import { createProgress } from './progress.js';
import { renderDrift, renderDriftClosing, renderRefusal } from './sync-summary.js';
import { acceptRevision } from '../sync/accept.js';
import { computeDrift } from '../sync/drift.js';
import { driftStatusOf, publishDriftStatus } from '../sync/drift-report.js';
import { UPSTREAM_FILE } from '../sync/upstream-file.js';

export const SYNC_HELP = `Usage: porter sync [options]

Compares the snapshot suite at two revisions of the source project's git history and
reports what changed upstream: cases added, removed and changed (expected output after
insta's normalisation, input file, or the phase's extra files), snapshots whose change
is only metadata (header fields such as assertion_line: not drift), the commits that
touched the suite, and a unified diff per changed case. Old files are read from git
objects; the source checkout is never touched.

Options:
  --from REV      compare from REV (default: the rev in the workspace's ${UPSTREAM_FILE},
                  the source revision the port last passed at)
  --to REV        compare up to REV (default: the source checkout's HEAD)
  --json [FILE]   write the whole comparison as JSON (no FILE or '-': stdout)
  --accept        instead: run the target against the suite at --to and, when every case
                  passes (skip-listed ones aside), record --to in ${UPSTREAM_FILE}
                  and commit that file in the workspace; otherwise list the failing cases
  --config FILE   config file (default: ./porter.config.yaml)
  -h, --help      show this help

When --from is the revision ${UPSTREAM_FILE} records, the pending drift also goes to
reports/drift.json, and latest.md and index.html are rebuilt to show it.

Exit status: 0 no drift (with --accept: accepted); 1 drift (with --accept: cases fail);
2 errors: usage, config, a source that is not a git repository, a revision that does
not exist.
`;

export async function syncCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags('sync', defaultFlagValue(argv, '--json'), {
    from: { type: 'string' },
    to: { type: 'string' },
    json: { type: 'string' },
    accept: { type: 'boolean' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(io, parsed.message);
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(SYNC_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) return usageError(io, `porter sync: unexpected argument "${positionals[0]}"; use --from REV and --to REV`);
  if (values.accept && values.from !== undefined) return usageError(io, 'porter sync: --accept tests the port at --to only; leave out --from');

  const config = await loadConfigFor(io, values.config);
  if (!config) return EXIT.usage;
  // With the JSON on stdout, everything meant for people goes to stderr.
  const human = values.json === '-' ? io.stderr : io.stdout;
  // A --json that cannot be written is exit 2, as for porter test: CI must not go on without it.
  let unwritten = false;
  const json = async (value: unknown) => {
    if (!values.json) return;
    const written = await writeOutput(io, values.json, `${JSON.stringify(value, null, 2)}\n`);
    if (!written.ok) io.stderr(`porter: --json: ${written.message}\n`);
    unwritten ||= !written.ok;
  };
  const exit = (code: number) => (unwritten ? EXIT.usage : code);

  if (values.accept) {
    const progress = createProgress({ write: human, live: io.isTTY && !io.env.CI && values.json !== '-' });
    const done = await acceptRevision(config, { ...(values.to !== undefined ? { to: values.to } : {}), onCase: progress.onCase });
    progress.finish();
    if (!done.ok) return usageError(io, `porter: ${done.message}`);
    const o = done.outcome;
    if (!o.accepted) {
      await json({ accepted: false, to: o.revision, failing: o.failing.map((c) => ({ id: c.id, phase: c.phase, status: c.status, reason: c.reason ?? null })) });
      human(renderRefusal(o.revision, o.failing));
      return exit(EXIT.failures);
    }
    await json({ accepted: true, to: o.revision, upstream: o.upstream, failing: [] });
    for (const w of o.reports.warnings) io.stderr(`warning: ${w}\n`);
    const rel = path.relative(io.cwd, o.file) || o.file;
    const commit = !o.commit.ok ? `; could not commit it: ${o.commit.message}` : o.commit.rev ? `, committed as ${o.commit.rev.slice(0, 7)}` : o.commit.skipped ? ` (not committed: ${o.commit.skipped})` : '';
    if (!o.commit.ok) io.stderr(`warning: ${o.commit.message}\n`);
    human(`porter sync --accept: the port passes at ${o.revision.short}; wrote ${rel}${commit}\n`);
    return exit(EXIT.ok);
  }

  const found = await computeDrift(config, { ...(values.from !== undefined ? { from: values.from } : {}), ...(values.to !== undefined ? { to: values.to } : {}) });
  if (!found.ok) return usageError(io, `porter: ${found.message}`);
  const { drift } = found;
  for (const w of found.warnings) io.stderr(`warning: ${w}\n`);
  human(renderDrift(drift));
  await json(drift);
  if (found.fromUpstream) {
    const published = publishDriftStatus(config, driftStatusOf(drift, found.upstream));
    for (const w of published.warnings) io.stderr(`warning: ${w}\n`);
    if (published.file) human(`reports: ${path.relative(io.cwd, published.file) || published.file}${published.rebuilt ? ', latest.md and index.html rebuilt' : ''}\n`);
  }
  human(renderDriftClosing(drift));
  return exit(drift.drift ? EXIT.failures : EXIT.ok);
}
