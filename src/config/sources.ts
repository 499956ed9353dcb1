// One schema per provider, joined on `provider`; each rejects the other's settings. A provider's
// default address and webhook-id rule come from its definition (src/providers/registry.ts).
import { resolve } from 'node:path';
import { z } from 'zod';
import { PROVIDER_DEFINITIONS, PROVIDERS } from '../providers/index.js';
import { httpBaseUrl, numeric, requiredHttpBaseUrl, secretText, sourceName, webhookIds } from './fields.js';
import type { HttpAuth } from '../providers/http/adapter.js';
import { webhookIdForm, webhookParts } from '../providers/http/definition.js';
import { descriptionSchema } from '../providers/http/description.js';
import { githubCredentialProblem, githubPrivateKeyProblem } from '../providers/github/definition.js';
import { readPemFile, readSecretFile } from './secrets.js';
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

  const APP_ID_MESSAGE = 'must be the GitHub App\'s id (a number) or its client id ("Iv…")';
  const github = strictObject(
    {
      name: sourceName,
      provider: z.literal('github'),
      baseUrl: httpBaseUrl(PROVIDER_DEFINITIONS.github.defaultBaseUrl),
      auth: strictObject(
        {
          token: secretText.optional(),
          tokenFile: z.string().min(1).optional(),
          // The App's numeric id, or its client id ("Iv1.…", "Iv23…"): either is the JWT's `iss`.
          appId: z
            .union([numeric(z.number().int().positive()), z.string().regex(/^Iv[0-9A-Za-z.]+$/, { error: APP_ID_MESSAGE })], { error: APP_ID_MESSAGE })
            .optional(),
          privateKeyFile: z.string().min(1).optional(),
        },
        { whenMissing: 'needs token or tokenFile, or appId and privateKeyFile' },
      )
        .superRefine((auth, ctx) => {
          const tokens = [auth.token, auth.tokenFile].filter((value) => value !== undefined).length;
          const app = [auth.appId, auth.privateKeyFile].filter((value) => value !== undefined).length;
          if (tokens === 2) ctx.addIssue({ code: 'custom', message: 'use token or tokenFile, not both' });
          if (app === 1) ctx.addIssue({ code: 'custom', message: 'appId and privateKeyFile go together: the App JWT needs both' });
          if (tokens === 0 && app === 0) ctx.addIssue({ code: 'custom', message: 'needs token or tokenFile, or appId and privateKeyFile' });
        })
        .transform(async (auth, ctx) => ({
          token: auth.token === undefined && auth.tokenFile === undefined ? undefined : await resolveSecret(auth.token, auth.tokenFile, 'tokenFile', context, ctx),
          appId: auth.appId,
          privateKey: auth.privateKeyFile === undefined ? undefined : await resolvePrivateKey(auth.privateKeyFile, githubPrivateKeyProblem, context, ctx),
          fromFile: auth.tokenFile !== undefined,
        })),
      webhooks: webhookIds(PROVIDER_DEFINITIONS.github.webhookIdProblem),
      pageSize: numeric(z.number().int().min(1).max(100)).default(100),
      maxPages: numeric(z.number().int().min(1)).default(10),
      traces: tracesSchema,
    },
    { unknownKeyHints: { limit: 'did you mean "pageSize"?', perPage: 'did you mean "pageSize"?', per_page: 'did you mean "pageSize"?' } },
  ).superRefine((source, ctx) => {
    // Webhook ids alone cannot say which credential they need: `app` the App JWT, the rest a token.
    if (typeof source.auth?.fromFile !== 'boolean') return; // auth itself failed: its own issue says enough
    source.webhooks.forEach((id, index) => {
      const problem = githubCredentialProblem(id, source.auth);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['webhooks', index], message: problem });
    });
  });

  // A credential for a described API: one way to send it, its secret inline or in a file (read here).
  const secretOf = <Inline extends string, File extends string>(inline: Inline, file: File) =>
    async (given: Partial<Record<Inline | File, string>>, ctx: z.RefinementCtx) => ({
      secret: await resolveSecret(given[inline], given[file], file, context, ctx),
      fromFile: given[file] !== undefined,
    });
  const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'must be an HTTP header name (letters, digits, "-", …)' });
  const bearer = strictObject({ token: secretText.optional(), tokenFile: z.string().min(1).optional() })
    .superRefine(exactlyOne('token', 'tokenFile'))
    .transform(secretOf('token', 'tokenFile'));
  const basic = strictObject({ username: z.string().min(1), password: secretText.optional(), passwordFile: z.string().min(1).optional() })
    .superRefine(exactlyOne('password', 'passwordFile'))
    .transform(async (given, ctx) => ({ username: given.username, ...(await secretOf('password', 'passwordFile')(given, ctx)) }));
  const named = (name: z.ZodString) =>
    strictObject({ name, value: secretText.optional(), valueFile: z.string().min(1).optional() })
      .superRefine(exactlyOne('value', 'valueFile'))
      .transform(async (given, ctx) => ({ name: given.name, ...(await secretOf('value', 'valueFile')(given, ctx)) }));
  const http = strictObject(
    {
      name: sourceName,
      provider: z.literal('http'),
      baseUrl: requiredHttpBaseUrl,
      auth: strictObject(
        { bearer: bearer.optional(), basic: basic.optional(), header: named(headerName).optional(), query: named(z.string().min(1)).optional() },
        { whenMissing: 'needs one of bearer, basic, header or query' },
      )
        .superRefine((auth, ctx) => {
          const given = Object.values(auth).filter((value) => value !== undefined).length;
          if (given !== 1) ctx.addIssue({ code: 'custom', message: given === 0 ? 'needs one of bearer, basic, header or query' : 'use one of bearer, basic, header or query, not several' });
        })
        .transform((auth): HttpAuth & { fromFile: boolean } => {
          if (auth.bearer) return { kind: 'bearer', token: auth.bearer.secret, fromFile: auth.bearer.fromFile };
          if (auth.basic) return { kind: 'basic', username: auth.basic.username, password: auth.basic.secret, fromFile: auth.basic.fromFile };
          const [kind, given] = auth.header ? (['header', auth.header] as const) : (['query', auth.query!] as const);
          return { kind, name: given.name, value: given.secret, fromFile: given.fromFile };
        }),
      webhooks: webhookIds(PROVIDER_DEFINITIONS.http.webhookIdProblem),
      api: descriptionSchema,
      traces: tracesSchema,
    },
    { unknownKeyHints: { description: 'did you mean "api"?', pageSize: 'set api.paging.size.value', maxPages: 'set api.paging.maxPages' } },
  ).superRefine((source, ctx) => {
    const fields = source.api?.fields;
    if (source.traces?.includeBodies === true && fields !== undefined && fields.requestBody === undefined && fields.responseBody === undefined) {
      ctx.addIssue({ code: 'custom', path: ['traces', 'includeBodies'], message: 'the description names no body to show: add api.fields.requestBody or api.fields.responseBody' });
    }
    // A webhook id has as many parts as the request path has placeholders.
    if (source.api?.request?.path === undefined || !Array.isArray(source.webhooks)) return;
    const parts = webhookParts(source.api);
    if (parts === 0) {
      // Every webhook would read the same log, and count each of its entries once per webhook.
      if (source.webhooks.length > 1) {
        ctx.addIssue({ code: 'custom', path: ['webhooks'], message: 'api.request.path uses no part of the webhook id ({0}), so every webhook would read the same log: list one webhook, or put {0} in the path' });
      }
      return;
    }
    source.webhooks.forEach((id, index) => {
      if (typeof id === 'string' && id.split('/').length !== parts) {
        const message = parts === 1 ? 'must not contain "/": api.request.path uses one part of the webhook id ({0})' : `must have ${webhookIdForm(source.api)}, as api.request.path uses them`;
        ctx.addIssue({ code: 'custom', path: ['webhooks', index], message });
      }
    });
  });

  return z.discriminatedUnion('provider', [salesfinity, baanx, gitlab, svix, github, http], {
    error: (issue) =>
      issue.code === 'invalid_union' ? `must be ${PROVIDERS.map((provider) => JSON.stringify(provider)).join(' or ')}` : undefined,
  });
}

/** A private key file, many lines of PEM; `problemOf` is the provider's check of the key. */
async function resolvePrivateKey(
  file: string,
  problemOf: (pem: string) => string | undefined,
  context: SchemaContext,
  ctx: z.RefinementCtx,
): Promise<string> {
  const result = await readPemFile(resolve(context.baseDir, file), problemOf);
  if (result.ok) return result.secret;
  ctx.addIssue({ code: 'custom', path: ['privateKeyFile'], message: result.problem });
  return z.NEVER;
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
