/**
 * `scheme://user:secret@host` becomes `scheme://user@host` wherever it appears in the text,
 * and a `password=` query parameter is blanked: URLs of databases and git remotes may carry
 * credentials, and messages, logs and reports never do.
 */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^@\s/]*@/gi, '$1@').replace(/([?&]password=)[^&\s]*/gi, '$1***');
}
