// The description language as a JSON Schema, for editors (completion and validation while writing
// a config) and for tools. Made from the same zod schema the loader checks with, so the two cannot
// drift; `npm run generate:schema` writes config/http-api.schema.json and a test keeps it current.
// Checks across fields (a report that needs its field, the status map's final values) are the
// loader's alone: JSON Schema cannot say them, and check-config does.

import { z } from 'zod';
import { descriptionSchema } from './description.js';

export const HTTP_API_SCHEMA_ID = 'https://github.com/webhook-log-exporter/webhook-log-exporter/blob/main/config/http-api.schema.json';

export function httpApiJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(descriptionSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: HTTP_API_SCHEMA_ID,
    title: 'webhook-log-exporter: a delivery-log API described for `provider: http` (the `api` key of a source)',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}
