import { runProcess } from './process.js';

/** Who Porter's commits are by when the user has configured no one. */
const IDENTITY = { name: 'porter', email: 'porter@localhost' };

/**
 * Author and committer variables for a commit in `dir`, filled in only where neither the
 * environment nor git's config names someone, so Porter's commits never fail for that.
 */
export async function commitIdentityEnv(dir: string): Promise<Record<string, string>> {
  const configured = async (key: string): Promise<boolean> => {
    const r = await runProcess(['git', 'config', key], { cwd: dir });
    return r.exitCode === 0 && r.stdout.text.trim() !== '';
  };
  const [name, email] = await Promise.all([configured('user.name'), configured('user.email')]);
  const env: Record<string, string> = {};
  if (!process.env.GIT_AUTHOR_NAME && !name) Object.assign(env, { GIT_AUTHOR_NAME: IDENTITY.name, GIT_COMMITTER_NAME: IDENTITY.name });
  if (!process.env.GIT_AUTHOR_EMAIL && !email) Object.assign(env, { GIT_AUTHOR_EMAIL: IDENTITY.email, GIT_COMMITTER_EMAIL: IDENTITY.email });
  return env;
}
