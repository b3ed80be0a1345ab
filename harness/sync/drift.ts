import type { PorterConfig } from '../config/types.js';
import { sourceRevision } from '../util/source-revision.js';
import { compareSuites } from './compare-suites.js';
import { runGit } from './git.js';
import { commitsTouching, openSourceAt, resolveRevisions, toRequest, type Result, type RevisionRequest } from './source-repo.js';
import { loadSuitesAt } from './suite-at.js';
import type { Drift } from './types.js';
import { readUpstream, upstreamFile, workspaceOf, type Upstream } from './upstream-file.js';

/**
 * `porter sync`'s question: between two revisions of the source project, which cases were
 * added, removed or changed, and by which commits? Both suites are read from git objects, so the
 * checkout is never touched and `--from` can be any commit.
 */

export interface DriftOptions {
  /** Default: the `rev` of the workspace's porter.upstream.json. */
  from?: string;
  /** Default: the source checkout's HEAD. */
  to?: string;
  /** What to tell the user when there is neither `from` nor porter.upstream.json (the command's own advice). */
  noFromAdvice?: string;
}

export interface DriftFound {
  drift: Drift;
  /** The workspace's porter.upstream.json, when it exists (and is readable). */
  upstream: Upstream | null;
  /** True when `from` is the revision porter.upstream.json records: the drift is the port's pending work. */
  fromUpstream: boolean;
  /** One line each, e.g. a checkout with uncommitted changes that the comparison leaves out. */
  warnings: string[];
}

export async function computeDrift(config: PorterConfig, options: DriftOptions = {}): Promise<Result<DriftFound>> {
  const checkout = options.to === undefined ? sourceRevision(config.source) : null;

  // Outside git nothing else can help: say that first (no revision is asked for yet).
  const inGit = await openSourceAt(config.source, []);
  if (!inGit.ok) return inGit;
  const repo = inGit.repo;
  const recorded = readUpstream(workspaceOf(config));
  // With an explicit --from, a broken porter.upstream.json is not in the way.
  if (!recorded.ok && options.from === undefined) return recorded;
  const upstream = recorded.ok ? recorded.upstream : null;
  let from: RevisionRequest;
  if (options.from !== undefined) from = { name: options.from, from: '--from' };
  else if (upstream) from = { name: upstream.rev, from: upstreamFile(workspaceOf(config)) };
  else {
    return {
      ok: false,
      message: `no --from and no ${upstreamFile(workspaceOf(config))} to start from; ${options.noFromAdvice ?? 'pass --from REV (the source revision the port last passed at), or record it with `porter sync --accept`'}`,
    };
  }
  const resolved = await resolveRevisions(config.source, [from, toRequest(options.to)]);
  if (!resolved.ok) return resolved;
  const [fromRev, toRev] = resolved.revisions as [Drift['from'], Drift['to']];

  // At an older revision a phase the config names today may have had no cases yet.
  const loaded = await loadSuitesAt(config, repo, [fromRev, toRev], { allowEmptyPhases: true });
  if (!loaded.ok) return loaded;
  const [before, after] = loaded.suites as [(typeof loaded.suites)[0], (typeof loaded.suites)[0]];
  const compared = compareSuites(before, after);

  const history = await commitsTouching(repo, fromRev.rev, toRev.rev, compared.suitePaths);
  if (!history.ok) return history;
  for (const list of [compared.added, compared.removed, compared.changed]) {
    for (const c of list) {
      const paths = compared.pathsOf.get(c.id)!;
      c.commits = history.commits.filter((k) => k.files.some((f) => paths.has(f))).map((k) => k.hash);
    }
  }

  const drift: Drift = {
    source: config.source,
    from: fromRev,
    to: toRev,
    drift: compared.added.length + compared.removed.length + compared.changed.length > 0,
    added: compared.added,
    removed: compared.removed,
    changed: compared.changed,
    metadata_only: compared.metadata_only,
    commits: history.commits.map((k) => ({ hash: k.hash, subject: k.subject })),
  };
  const warnings: string[] = [];
  if (fromRev.rev !== toRev.rev && (await runGit(repo.dir, ['merge-base', '--is-ancestor', fromRev.rev, toRev.rev])).code === 1) {
    warnings.push(`--from ${fromRev.short} is not an ancestor of --to ${toRev.short} (a later revision, or another branch): the comparison still runs from one to the other, but no commit lies between them`);
  }
  if ((await checkout)?.dirty) warnings.push(`the source checkout ${config.source} has uncommitted changes; porter sync compares commits, so they are left out`);
  return { ok: true, drift, upstream, fromUpstream: upstream !== null && upstream.rev === fromRev.rev, warnings };
}
