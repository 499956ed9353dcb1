// The one configuration schema: it yields the TypeScript type, the defaults and every problem with its path.
import { resolve } from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { duplicates, duration, evenWithInvalidItems, numeric } from './fields.js';
import { sourceSchema, type SchemaContext } from './sources.js';
import { strictObject } from './strict-object.js';
import { isRecord } from '../providers/fields.js';
import { ConfigError } from './problems.js';
import { loadWebConfig, type WebConfig } from './web-config.js';

const DEFAULT_HISTOGRAM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]; // seconds
const MIB = 1024 * 1024;

const cronExpression = z.string().superRefine((expression, ctx) => {
  if (cron.validate(expression)) return;
  const reason = cron.validateDetailed(expression).errors[0]?.message ?? 'invalid';
  ctx.addIssue({
    code: 'custom',
    message: `not a valid cron expression (${reason}); e.g. "*/30 * * * * *" is every 30 seconds`,
  });
});

const histogramBuckets = z
  .array(numeric(z.number().positive()))
  .min(1)
  .superRefine((buckets, ctx) => {
    buckets.forEach((bucket, index) => {
      const previous = buckets[index - 1];
      if (typeof bucket === 'number' && typeof previous === 'number' && bucket <= previous) {
        ctx.addIssue({ code: 'custom', path: [index], message: `must be greater than the bucket before it (${previous})` });
      }
    });
  }, evenWithInvalidItems);

/** Where and how the HTTP server listens: the web config is read (and checked) with the config. */
export interface ListenConfig {
  host: string;
  port: number;
  webConfigFile?: string | undefined;
  webConfig: WebConfig | undefined;
}

/** Built per load because secret files and the state file are resolved against the config file's folder. */
export function createConfigSchema(context: SchemaContext) {
  return strictObject({
    listen: strictObject({
      host: z.string().min(1).default('0.0.0.0'),
      port: numeric(z.number().int().min(0).max(65535)).default(9464),
      // TLS, client certificates and basic auth, in the exporter-toolkit's format (docs/web-config.md).
      webConfigFile: z.string().min(1).transform((file) => resolve(context.baseDir, file)).optional(),
    })
      .prefault({})
      .transform(async (listen, ctx): Promise<ListenConfig> => {
        if (listen.webConfigFile === undefined) return { ...listen, webConfig: undefined };
        try {
          return { ...listen, webConfig: await loadWebConfig(listen.webConfigFile) };
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          for (const message of error.problems) ctx.addIssue({ code: 'custom', path: ['webConfigFile'], message });
          return z.NEVER;
        }
      }),
    schedule: cronExpression.default('*/30 * * * * *'),
    startFrom: z.enum(['now', 'backfill']).default('now'),
    lookback: duration.prefault('5m'),
    state: strictObject({ file: z.string().min(1).transform((file) => resolve(context.baseDir, file)) }).optional(),
    histogramBuckets: histogramBuckets.default(() => [...DEFAULT_HISTOGRAM_BUCKETS]),
    maxEventTypes: numeric(z.number().int().min(1)).default(100),
    http: strictObject({
      timeout: duration.prefault('10s'),
      concurrency: numeric(z.number().int().min(1).max(64)).default(4),
      // A larger response body is abandoned and counted as an error, so a misbehaving API cannot exhaust memory.
      maxResponseBytes: numeric(z.number().int().min(1)).default(16 * MIB),
    }).prefault({}),
    // This replica polls only the webhooks that hash to `index` out of `count` (see src/poller/shard.ts).
    shard: strictObject({
      index: numeric(z.number().int().min(0)),
      count: numeric(z.number().int().min(1).max(1024)),
    })
      .refine((shard) => shard.index < shard.count, { message: 'index must be below count (indexes start at 0)', path: ['index'] })
      .optional(),
    sources: z
      .array(sourceSchema(context), { error: (issue) => (issue.input === undefined ? 'required: list at least one source' : undefined) })
      .min(1, { error: 'needs at least one source' })
      .superRefine((sources, ctx) => {
        const names = sources.map((source: unknown) => (isRecord(source) ? source.name : undefined));
        for (const { index, firstIndex } of duplicates(names)) {
          ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `already used by sources[${firstIndex}]; names must be unique` });
        }
      }, evenWithInvalidItems),
  });
}

export type ExporterConfig = z.output<ReturnType<typeof createConfigSchema>>;
export type SourceConfig = ExporterConfig['sources'][number];
