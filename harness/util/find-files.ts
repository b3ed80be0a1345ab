import fs from 'node:fs';
import path from 'node:path';

/**
 * Files matching globs under `cwd`, as `fast-glob(patterns, { cwd, onlyFiles: true, dot: true,
 * ignore })` finds them: relative paths with `/`, symbolic links to files included, no duplicates.
 * The order is unspecified; callers sort.
 *
 * Suites name their snapshots with one simple glob per folder (`tests/snapshots/*.snap`), and
 * for those a single directory listing gives the same answer for a fraction of the cost: on
 * 10,000 snapshots fast-glob took ~210 ms of CPU (55 of them to import it) where the listing
 * took ~50. Any other pattern, option or error goes to fast-glob itself, loaded on demand.
 */
export interface FindFilesOptions {
  cwd: string;
  /** Only `**\/.git/**` (what the suite loader passes) is handled without fast-glob. */
  ignore?: string[];
}

export async function findFiles(patterns: readonly string[], options: FindFilesOptions): Promise<string[]> {
  const listed = listSimple(patterns, options);
  if (listed !== null) return listed;
  const fg = (await import('fast-glob')).default;
  return fg([...patterns], { cwd: options.cwd, onlyFiles: true, dot: true, ...(options.ignore ? { ignore: options.ignore } : {}) });
}

const GIT_IGNORE = '**/.git/**';
/** A static folder segment: nothing a glob could read as special, and not `.`, `..` or `.git`. */
const PLAIN_SEGMENT = /^[^*?[\]{}()!+@\\]+$/;
/** The last segment: literal name characters with `*` and `?` only. */
const SIMPLE_NAME_GLOB = /^[\w.@-]*[*?][\w.@*?-]*$/;

/**
 * The fast path, or null when it does not apply (then fast-glob answers). Exported for tests,
 * which check it against fast-glob.
 */
export function listSimple(patterns: readonly string[], options: FindFilesOptions): string[] | null {
  if (process.platform === 'win32') return null;
  const ignoreGit = options.ignore !== undefined && options.ignore.length > 0;
  if (ignoreGit && (options.ignore!.length !== 1 || options.ignore![0] !== GIT_IGNORE)) return null;
  const plans: Array<{ base: string; name: RegExp }> = [];
  for (const pattern of patterns) {
    const slash = pattern.lastIndexOf('/');
    const base = slash === -1 ? '' : pattern.slice(0, slash);
    const glob = pattern.slice(slash + 1);
    if (!SIMPLE_NAME_GLOB.test(glob)) return null;
    if (base !== '' && !base.split('/').every((s) => PLAIN_SEGMENT.test(s) && s !== '.' && s !== '..' && s !== '.git')) return null;
    if (base.startsWith('/')) return null;
    plans.push({ base, name: nameRegex(glob) });
  }
  const found = new Set<string>();
  for (const { base, name } of plans) {
    const dir = path.join(options.cwd, base);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      // fast-glob skips a missing folder and throws on anything else: let it.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return null;
    }
    for (const entry of entries) {
      const n = entry.name;
      if (!name.test(n) || (ignoreGit && n === '.git')) continue;
      if (entry.isFile() || (entry.isSymbolicLink() && isFileTarget(path.join(dir, n)))) found.add(base === '' ? n : `${base}/${n}`);
    }
  }
  return [...found];
}

/** `*` any run of characters, `?` one, everything else literal (a name has no `/`). */
function nameRegex(glob: string): RegExp {
  let source = '';
  for (const ch of glob) source += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.\-$^]/g, '\\$&');
  return new RegExp(`^${source}$`, 's');
}

/** fast-glob follows links: a link to a file counts as a file, a broken one as nothing. */
function isFileTarget(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
