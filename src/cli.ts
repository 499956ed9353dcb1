#!/usr/bin/env -S node --max-semi-space-size=8
// The entry point. It checks the Node version before loading anything else: on an older Node the
// libraries fail to load with a stack trace; this says in one line what is needed, and exits 2.
import { unsupportedNode } from './runtime.js';

const problem = unsupportedNode(process.versions.node);
if (problem === undefined) await import('./main.js');
else {
  process.stderr.write(`webhook-log-exporter: ${problem}\n`);
  process.exitCode = 2;
}
