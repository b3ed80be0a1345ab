import picomatch from 'picomatch';

/**
 * Case ids are flat names such as `test_lexer__lexer@raw.txt`: a glob over them
 * treats `*` as "anything", dots included, so `test_lexer__*` matches every lexer case.
 */
export type CaseMatcher = (id: string) => boolean;

export function caseMatcher(globs: string | readonly string[]): CaseMatcher {
  const list = typeof globs === 'string' ? [globs] : globs;
  if (list.length === 0) return () => false;
  return picomatch([...list], { dot: true, nobrace: false, noextglob: true });
}

export function matchesCase(glob: string, id: string): boolean {
  return caseMatcher(glob)(id);
}
