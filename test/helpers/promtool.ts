import { spawn } from 'node:child_process';

const INSTALL_HINT =
  'promtool not found: install the `prometheus` package (apt-get install -y prometheus), which provides /usr/bin/promtool';

/** Runs the real promtool; rejects with an install hint when it is missing. */
export function runPromtool(args: readonly string[], options: { stdin?: string; cwd?: string } = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    // A missing binary fails the write too; the 'error' event below reports it.
    child.stdin.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error(INSTALL_HINT) : error));
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** Runs `promtool check metrics` on `text`; resolves to its combined output, '' when clean. */
export async function promtoolCheckMetrics(text: string): Promise<string> {
  const { code, output } = await runPromtool(['check', 'metrics'], { stdin: text });
  return code !== 0 && output === '' ? `promtool exited with code ${code}` : output;
}
