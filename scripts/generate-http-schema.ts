// Writes config/http-api.schema.json from the description language: `npm run generate:schema`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { httpApiJsonSchema } from '../src/providers/http/json-schema.js';

const file = fileURLToPath(new URL('../config/http-api.schema.json', import.meta.url));
writeFileSync(file, `${JSON.stringify(httpApiJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
