// Field schemas shared by the root and the sources. Messages never echo a value that could be a secret.
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { CONTROL_CHARACTERS } from './secrets.js';

// Only strings that are entirely a number: "9464", "0.5", "1e3"; not "", " 1" or "10s".
const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A number that may also be written as a numeric string, which is what `"${PORT:-9464}"` yields. */
export function numeric<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => (typeof value === 'string' && NUMERIC_TEXT.test(value) ? Number(value) : value), schema);
}

/** A string turned into a value by `parse`, whose Error messages are shown to the operator. */
function parsedString<T>(parse: (text: string) => T, typeMessage?: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? undefined : typeMessage) })
    .transform((text, ctx) => {
      try {
        return parse(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });
}

/** Milliseconds, written "500ms", "10s", "5m", "1h30m". A bare number is refused: seconds or milliseconds? */
export const duration = parsedString(
  parseDuration,
  'must be a duration such as "500ms", "10s" or "5m" (a bare number has no unit)',
).pipe(z.number().positive({ error: 'must be longer than 0' }));

export function httpBaseUrl(defaultUrl: string) {
  return parsedString(normaliseBaseUrl).prefault(defaultUrl);
}

/** A base URL that has no default (a described API): required. */
export const requiredHttpBaseUrl = parsedString(normaliseBaseUrl);

function normaliseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('must be an absolute URL such as "https://api.example.com"');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must start with http:// or https://');
  // A token pasted into the URL would end up in logs and error messages: secrets belong in `auth`.
  if (url.username !== '' || url.password !== '') throw new Error('must not contain a user name or password: put credentials in auth');
  if (text.includes('?')) throw new Error('must not contain a query string: put credentials in auth');
  if (text.includes('#')) throw new Error('must not contain a fragment ("#...")');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** An API key or token written in the config (usually via `${VAR}`). */
export const secretText = z
  .string()
  .min(1)
  .refine((secret) => !CONTROL_CHARACTERS.test(secret), { error: 'must not contain line breaks or control characters' });

export const sourceName = z.string().regex(/^[a-z0-9_-]+$/, {
  error: 'must use only lowercase letters, digits, "_" and "-" (it becomes the `source` label)',
});

/** Runs a list-wide check even when some items are invalid, so that every problem is reported at once. */
export const evenWithInvalidItems = { when: (payload: z.core.ParsePayload) => Array.isArray(payload.value) };

/** Each string that equals an earlier one, with the earlier one's index. Non-strings are ignored. */
export function duplicates(values: readonly unknown[]): Array<{ index: number; firstIndex: number }> {
  const firstIndexOf = new Map<string, number>();
  const repeats: Array<{ index: number; firstIndex: number }> = [];
  values.forEach((value, index) => {
    if (typeof value !== 'string') return;
    const firstIndex = firstIndexOf.get(value);
    if (firstIndex === undefined) firstIndexOf.set(value, index);
    else repeats.push({ index, firstIndex });
  });
  return repeats;
}

// RFC 3986 "unreserved" characters, and "/" between path segments (OWNER/REPO/HOOK_ID): an id made
// of them needs no escaping and cannot leave the API's path.
const URL_SAFE_CHARACTER = /[A-Za-z0-9._~/-]/;

/** The webhook ids of a source; `providerProblem` is the provider's own rule for one id. */
export function webhookIds(providerProblem: (id: string) => string | undefined) {
  const webhookId = z
    .string()
    .min(1)
    .superRefine((id, ctx) => {
      const unsafe = [...id].find((character) => !URL_SAFE_CHARACTER.test(character));
      const problem =
        unsafe !== undefined
          ? `must not contain ${JSON.stringify(unsafe)}: webhook ids go into a URL path, so use only letters, digits, "-", "_", ".", "~" and "/"`
          : id.split('/').some((segment) => segment === '.' || segment === '..')
            ? 'must not be "." or "..": webhook ids go into a URL path'
            : id !== '' && id.split('/').some((segment) => segment === '')
              ? 'must not start or end with "/" or hold "//": each part between slashes needs a name'
              : providerProblem(id);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });
  return z
    .array(webhookId)
    .min(1, { error: 'needs at least one webhook id' })
    .superRefine(
      (ids, ctx) => {
        for (const { index, firstIndex } of duplicates(ids)) {
          ctx.addIssue({ code: 'custom', path: [index], message: `repeats webhooks[${firstIndex}]` });
        }
      },
      evenWithInvalidItems,
    );
}
