// Secret files (Kubernetes secret volumes, Docker secrets) read once at start-up.
// Problems name the file and the reason, never its contents.
import { readFile, stat } from 'node:fs/promises';

export type SecretFileResult = { ok: true; secret: string } | { ok: false; problem: string };

/** Control characters would make an invalid (or a smuggled) HTTP header. */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * A key or certificate pasted where its file's name belongs: quoting the "path" back in a message
 * would print the secret. Such a value is refused without being repeated.
 */
export function notAFileName(path: string): string | undefined {
  return CONTROL_CHARACTERS.test(path) || path.includes('-----BEGIN')
    ? 'is not a file name: it holds line breaks or PEM text (put the secret in a file and name the file here)'
    : undefined;
}

/** Reads a secret from `path` (absolute), dropping trailing newlines that editors and `echo` add. */
export async function readSecretFile(path: string): Promise<SecretFileResult> {
  const notAFile = notAFileName(path);
  if (notAFile !== undefined) return { ok: false, problem: notAFile };
  let text: string;
  try {
    // A FIFO or device would block or never end; secrets are regular files (or links to them).
    if (!(await stat(path)).isFile()) return { ok: false, problem: `cannot read ${path}: not a regular file` };
    text = await readFile(path, 'utf8');
  } catch (cause) {
    return { ok: false, problem: `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'unknown error'}` };
  }
  const secret = text.replace(/(\r?\n)+$/, '');
  if (secret === '') return { ok: false, problem: `${path} is empty` };
  if (CONTROL_CHARACTERS.test(secret)) return { ok: false, problem: `${path} holds more than one line or control characters` };
  return { ok: true, secret };
}

/**
 * A private key in PEM form: a file of many lines, which readSecretFile (one line) refuses.
 * `problemOf` says what is wrong with the text (not a key, wrong kind), never repeating it.
 */
export async function readPemFile(path: string, problemOf: (pem: string) => string | undefined): Promise<SecretFileResult> {
  const notAFile = notAFileName(path);
  if (notAFile !== undefined) return { ok: false, problem: notAFile };
  let text: string;
  try {
    if (!(await stat(path)).isFile()) return { ok: false, problem: `cannot read ${path}: not a regular file` };
    text = (await readFile(path, 'utf8')).trim();
  } catch (cause) {
    return { ok: false, problem: `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'unknown error'}` };
  }
  const problem = problemOf(text);
  return problem === undefined ? { ok: true, secret: text } : { ok: false, problem: `${path} ${problem}` };
}
