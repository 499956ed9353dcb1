// Loaded with `node --import` into a CLI child process, to see and change what it loads:
// - WLE_HIDE_PACKAGES=a,b: these packages resolve as if they were not installed (an image that
//   leaves an optional exporter out);
// - WLE_RECORD_MODULES=<file>: every module URL the process loads is appended to <file>.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const hidden = new Set((process.env.WLE_HIDE_PACKAGES ?? '').split(',').filter(Boolean));
const record = process.env.WLE_RECORD_MODULES;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (hidden.has(specifier)) {
      throw Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    }
    const resolved = nextResolve(specifier, context);
    if (record) appendFileSync(record, `${resolved.url}\n`);
    return resolved;
  },
});
