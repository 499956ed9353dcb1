// One schema per provider, joined on `provider`; each rejects the other's settings. A provider's
// default address and webhook-id rule come from its definition (src/providers/registry.ts).
import { resolve } from 'node:path';
import { z } from 'zod';
import { PROVIDER_DEFINITIONS, PROVIDERS } from '../providers/index.js';
import { httpBaseUrl, numeric, secretText, sourceName, webhookIds } from './fields.js';
import { readSecretFile } from './secrets.js';
import { strictObject } from './strict-object.js';

export interface SchemaContext {
  /** Relative file paths in the config are resolved against this (the config file's folder). */
  baseDir: string;
}

/** What this source's delivery spans may carry beyond the defaults (only when tracing is on). */
const tracesSchema = strictObject({
  // Bodies may hold personal data: off unless the operator asks.
  includeBodies: z.boolean().default(false),
  maxBodyBytes: numeric(z.number().int().min(1).max(65_536)).default(1024),
}).prefault({});

export function sourceSchema(context: SchemaContext) {
  const salesfinity = strictObject(
    {
      name: sourceName,
      provider: z.literal('salesfinity'),
      baseUrl: httpBaseUrl(PROVIDER_DEFINITIONS.salesfinity.defaultBaseUrl),
      auth: strictObject(
        { apiKey: secretText.optional(), apiKeyFile: z.string().min(1).optional() },
        { whenMissing: 'needs apiKey or apiKeyFile' },
      )
        .superRefine(exactlyOne('apiKey', 'apiKeyFile'))
        .transform(async (auth, ctx) => ({
          apiKey: await resolveSecret(auth.apiKey, auth.apiKeyFile, 'apiKeyFile', context, ctx),
          fromFile: auth.apiKeyFile !== undefined,
        })),
      webhooks: webhookIds(PROVIDER_DEFINITIONS.salesfinity.webhookIdProblem),
      pageSize: numeric(z.number().int().min(1).max(100)).default(100),
      maxPages: numeric(z.number().int().min(1)).default(10),
      traces: tracesSchema,
    },
    { unknownKeyHints: { limit: 'did you mean "pageSize"?' } },
  );

  const baanx = strictObject(
    {
      name: sourceName,
      provider: z.literal('baanx'),
      baseUrl: httpBaseUrl(PROVIDER_DEFINITIONS.baanx.defaultBaseUrl),
      auth: strictObject(
        { bearerToken: secretText.optional(), bearerTokenFile: z.string().min(1).optional() },
        { whenMissing: 'needs bearerToken or bearerTokenFile' },
      )
        .superRefine(exactlyOne('bearerToken', 'bearerTokenFile'))
        .transform(async (auth, ctx) => ({
          bearerToken: await resolveSecret(auth.bearerToken, auth.bearerTokenFile, 'bearerTokenFile', context, ctx),
          fromFile: auth.bearerTokenFile !== undefined,
        })),
      webhooks: webhookIds(PROVIDER_DEFINITIONS.baanx.webhookIdProblem),
      limit: numeric(z.number().int().min(1).max(100)).default(100),
      traces: tracesSchema,
    },
    {
      unknownKeyHints: {
        pageSize: 'did you mean "limit"?',
        maxPages: 'Baanx has no pages: it returns only the newest entries',
      },
    },
  );


  const gitlab = strictObject(
    {
      name: sourceName,
      provider: z.literal('gitlab'),
      baseUrl: httpBaseUrl(PROVIDER_DEFINITIONS.gitlab.defaultBaseUrl),
      auth: strictObject(
        { token: secretText.optional(), tokenFile: z.string().min(1).optional() },
        {
          whenMissing: 'needs token or tokenFile',
          unknownKeyHints: {
            privateToken: 'did you mean "token"? it is sent as PRIVATE-TOKEN',
            apiKey: 'did you mean "token"?',
            bearerToken: 'did you mean "token"?',
          },
        },
      )
        .superRefine(exactlyOne('token', 'tokenFile'))
        .transform(async (auth, ctx) => ({
          token: await resolveSecret(auth.token, auth.tokenFile, 'tokenFile', context, ctx),
          fromFile: auth.tokenFile !== undefined,
        })),
      webhooks: webhookIds(PROVIDER_DEFINITIONS.gitlab.webhookIdProblem),
      pageSize: numeric(z.number().int().min(1).max(20)).default(20),
      maxPages: numeric(z.number().int().min(1)).default(10),
      traces: tracesSchema,
    },
    { unknownKeyHints: { limit: 'did you mean "pageSize"?', per_page: 'did you mean "pageSize"?' } },
  );

  const svix = strictObject(
    {
      name: sourceName,
      provider: z.literal('svix'),
      baseUrl: httpBaseUrl(PROVIDER_DEFINITIONS.svix.defaultBaseUrl),
      auth: strictObject(
        { token: secretText.optional(), tokenFile: z.string().min(1).optional() },
        {
          whenMissing: 'needs token or tokenFile',
          unknownKeyHints: { bearerToken: 'Svix takes "token" (or "tokenFile"), sent as Bearer', apiKey: 'Svix takes "token" (or "tokenFile")' },
        },
      )
        .superRefine(exactlyOne('token', 'tokenFile'))
        .transform(async (auth, ctx) => ({
          token: await resolveSecret(auth.token, auth.tokenFile, 'tokenFile', context, ctx),
          fromFile: auth.tokenFile !== undefined,
        })),
      webhooks: webhookIds(PROVIDER_DEFINITIONS.svix.webhookIdProblem),
      pageSize: numeric(z.number().int().min(1).max(250)).default(250),
      maxPages: numeric(z.number().int().min(1)).default(10),
      traces: tracesSchema,
    },
    { unknownKeyHints: { limit: 'did you mean "pageSize"? (sent as Svix\'s `limit`, 1..250)', per_page: 'did you mean "pageSize"?' } },
  );

  return z.discriminatedUnion('provider', [salesfinity, baanx, gitlab, svix], {
    error: (issue) =>
      issue.code === 'invalid_union' ? `must be ${PROVIDERS.map((provider) => JSON.stringify(provider)).join(' or ')}` : undefined,
  });
}

function exactlyOne<Key extends string>(inline: Key, file: Key) {
  return (auth: Partial<Record<Key, string>>, ctx: z.RefinementCtx) => {
    const given = [auth[inline], auth[file]].filter((value) => value !== undefined).length;
    if (given === 0) ctx.addIssue({ code: 'custom', message: `needs ${inline} or ${file}` });
    if (given === 2) ctx.addIssue({ code: 'custom', message: `use ${inline} or ${file}, not both` });
  };
}

async function resolveSecret(
  inline: string | undefined,
  file: string | undefined,
  fileKey: string,
  context: SchemaContext,
  ctx: z.RefinementCtx,
): Promise<string> {
  // exactlyOne has already ensured that one of the two is set.
  if (file === undefined) return inline ?? z.NEVER;
  const result = await readSecretFile(resolve(context.baseDir, file));
  if (result.ok) return result.secret;
  ctx.addIssue({ code: 'custom', path: [fileKey], message: result.problem });
  return z.NEVER;
}
