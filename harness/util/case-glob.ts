import picomatch from 'picomatch';

/**
 * Case ids are flat names such as `test_lexer__lexer@raw.txt`: a glob over them
 * treats `*` as "anything", dots included, so `test_lexer__*` matches every lexer case.
 */
export type CaseMatcher = (id: string) => boolean;

const OPTIONS = { dot: true, nobrace: false, noextglob: true };
const WINDOWS = process.platform === 'win32';

/**
 * Compiles the globs once into picomatch's regular expressions and tests them directly: the same
 * answers as `picomatch(globs, options)`, whose matcher builds two result objects per call — a
 * cost paid per case and per rule (phases, protected cases, levels, skip-list globs).
 */
export function caseMatcher(globs: string | readonly string[]): CaseMatcher {
  const list = typeof globs === 'string' ? [globs] : globs;
  if (list.length === 0) return () => false;
  const tests = list.map((glob) => globTest(glob));
  if (tests.length === 1) return tests[0]!;
  return (id) => {
    for (const test of tests) if (test(id)) return true;
    return false;
  };
}

export function matchesCase(glob: string, id: string): boolean {
  return caseMatcher(glob)(id);
}

/** picomatch's own test (`picomatch.test`): the empty string never matches, the glob itself always does. */
function globTest(glob: string): CaseMatcher {
  if (glob === '') throw new TypeError('Expected pattern to be a non-empty string');
  const regex = picomatch.makeRe(glob, { ...OPTIONS, windows: WINDOWS });
  return (id) => {
    if (id === '') return false;
    const input = WINDOWS ? id.replace(/\\/g, '/') : id;
    return input === glob || id === glob || regex.test(input);
  };
}

/**
 * Every character picomatch may read as syntax. `@` is left alone: it is syntax only before an
 * unescaped `(`, and every `(` is escaped.
 */
const GLOB_SYNTAX = /[\\*?[\]{}()!+|]/g;

/** `text` as a glob that matches exactly `text`: each character a glob could read as syntax gets a backslash. */
export function escapeGlob(text: string): string {
  return text.replace(GLOB_SYNTAX, '\\$&');
}
