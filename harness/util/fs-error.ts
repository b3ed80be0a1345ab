/** A file-system error code in words a user can act on, for one-line messages. */
const WHY: Record<string, string> = {
  ENOENT: 'a folder on its path does not exist',
  ENOTDIR: 'a part of its path is a file, not a folder',
  EEXIST: 'a file stands where a folder of its path should be',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
};

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return String((err as Error | undefined)?.message ?? err);
  return WHY[code] ? `${WHY[code]} (${code})` : code;
}
