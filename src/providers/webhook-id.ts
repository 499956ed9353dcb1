// Webhook ids may contain "/" in general (a repository's OWNER/REPO/HOOK_ID, say); a provider whose
// id is one segment of its API's path says so here, in its own words.

/** A problem when `id` holds a "/", which would change the path of the request. */
export function onePathSegment(id: string, what: string): string | undefined {
  return id.includes('/') ? `must not contain "/": ${what} is one segment of the API's path` : undefined;
}
