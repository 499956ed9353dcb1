// Checks dashboard JSON against Grafana's schema (test/deploy/helpers/dashboard-schema.ts) with the
// TypeScript compiler: each file becomes `export const dashboard = <JSON> satisfies …`, so tsc
// reports wrong enum values, wrong types, missing required fields and unknown properties, at the
// JSON line. Neither @grafana/schema nor the foundation SDK has a runtime validator.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCHEMA_MODULE = fileURLToPath(new URL('./dashboard-schema.js', import.meta.url));
const TSC = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const DIAGNOSTIC = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/;

/**
 * `files` maps a name (e.g. `dashboards/webhook-deliveries.json`) to JSON text. Resolves to one
 * line per problem, `name:line: TSxxxx message` followed by the offending JSON line; [] when clean.
 */
export async function checkDashboardSchema(files: Readonly<Record<string, string>>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'dashboard-schema-'));
  try {
    const sources = new Map<string, { name: string; lines: string[] }>();
    for (const [index, [name, json]] of Object.entries(files).entries()) {
      const file = `${index}-${basename(name)}.ts`;
      sources.set(file, { name, lines: json.split('\n') });
      // The JSON starts on line 2, so a diagnostic's line minus one is the JSON line.
      const source = `import type { AsJson, SchemaDashboard } from ${JSON.stringify(SCHEMA_MODULE)};\nexport const dashboard = ${json.trimEnd()} satisfies AsJson<SchemaDashboard>;\n`;
      await writeFile(join(dir, file), source);
    }
    const compilerOptions = { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: [], skipLibCheck: true };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [...sources.keys()] }));
    const { code, output } = await run(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false'], dir);
    const problems: string[] = [];
    for (const line of output.split('\n')) {
      const match = DIAGNOSTIC.exec(line);
      if (match === null) {
        // tsc indents the elaboration of the diagnostic before: which property, why.
        if (line.startsWith(' ') && problems.length > 0) problems[problems.length - 1] += `\n${line}`;
        continue;
      }
      const [, file = '', lineNumber = '0', tsCode, message] = match;
      const source = sources.get(file);
      const jsonLine = Number(lineNumber) - 1;
      problems.push(
        source === undefined
          ? `${file}:${lineNumber}: ${tsCode} ${message}`
          : `${source.name}:${jsonLine}: ${tsCode} ${message}\n  at: ${source.lines[jsonLine - 1]?.trim() ?? ''}`,
      );
    }
    // tsc failing without a diagnostic in the expected form still fails the check.
    if (code !== 0 && problems.length === 0) return [`tsc exited with code ${code}: ${output}`];
    return problems;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
