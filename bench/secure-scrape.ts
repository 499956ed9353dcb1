// Benchmark: GET /metrics at 10k series over TLS (and TLS + basic auth) against plain HTTP, on the
// same telemetry, from the exporter's real server and web config loader; and what a basic-auth check
// costs when its verdict is cached against when bcrypt runs. Connections are kept alive between
// scrapes, as Prometheus keeps them: the handshake is paid once, the encryption on every byte.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { Agent, request } from 'undici';
import { parseWebConfig } from '../src/config/index.js';
import { AccessPolicy } from '../src/server/access.js';
import { makeCa, makeServerCertificate } from '../test/helpers/certificates.js';
import { fmt, median, ratio, sideBySide, timeMs, verdict, type Row } from './harness.js';
import { populateTelemetry, serveTelemetry } from './series.js';

export const TLS_SCRAPE_TARGET = 1.3;
/** The toolkit's docs suggest cost 10 (htpasswd -nBC 10): what an operator's hash costs. */
const BCRYPT_COST = 10;

export interface SecureScrapeResult {
  series: number;
  plainMs: number;
  tlsMs: number;
  tlsAuthMs: number;
  /** Against plain HTTP, each in its own side-by-side run. */
  tlsRatio: number;
  tlsAuthRatio: number;
  /** One AccessPolicy.check: the first of a credential (bcrypt) and a later one (cached). */
  bcryptCheckMs: number;
  cachedCheckMs: number;
}

export async function runSecureScrape(seriesCount: number, rounds: number): Promise<SecureScrapeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'wle-bench-tls-'));
  const telemetry = populateTelemetry(seriesCount);
  const closers: Array<() => Promise<void>> = [];
  try {
    const ca = await makeCa(dir, 'ca');
    const server = await makeServerCertificate(dir, ca, 'server');
    const password = 'bench password';
    const hash = await bcrypt.hash(password, BCRYPT_COST);
    const tlsOnly = `tls_server_config: { cert_file: ${server.certFile}, key_file: ${server.keyFile} }`;
    await writeFile(join(dir, 'web.yml'), tlsOnly);
    const options = { baseDir: dir, fileName: join(dir, 'web.yml') };
    const tlsWeb = await parseWebConfig(tlsOnly, options);
    const authWeb = await parseWebConfig(`${tlsOnly}\nbasic_auth_users: { prometheus: "${hash}" }`, options);

    const plain = await serveTelemetry(telemetry);
    const tls = await serveTelemetry(telemetry, tlsWeb);
    const tlsAuth = await serveTelemetry(telemetry, authWeb);
    closers.push(plain.close, tls.close, tlsAuth.close);
    const agent = new Agent({ connect: { ca: ca.cert } });
    closers.push(() => agent.close());
    const authorization = `Basic ${Buffer.from(`prometheus:${password}`).toString('base64')}`;
    const scrape = async (url: string, headers: Record<string, string> = {}) => {
      const response = await request(url, { dispatcher: agent, headers });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`GET ${url} answered ${response.statusCode}`);
    };

    const tlsRun = await sideBySide(rounds, () => timeMs(() => scrape(tls.metricsUrl)), () => timeMs(() => scrape(plain.metricsUrl)));
    const authRun = await sideBySide(rounds, () => timeMs(() => scrape(tlsAuth.metricsUrl, { authorization })), () => timeMs(() => scrape(plain.metricsUrl)));

    const checks = { bcrypt: [] as number[], cached: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const policy = new AccessPolicy(authWeb);
      checks.bcrypt.push(await timeMs(() => policy.check('/metrics', authorization)));
      checks.cached.push(await timeMs(() => policy.check('/metrics', authorization)));
    }
    return {
      series: seriesCount,
      plainMs: tlsRun.baseline,
      tlsMs: tlsRun.ours,
      tlsAuthMs: authRun.ours,
      tlsRatio: tlsRun.ours / tlsRun.baseline,
      tlsAuthRatio: authRun.ours / authRun.baseline,
      bcryptCheckMs: median(checks.bcrypt),
      cachedCheckMs: median(checks.cached),
    };
  } finally {
    for (const close of closers.reverse()) await close();
    await telemetry.shutdown();
    await rm(dir, { recursive: true, force: true });
  }
}

export function secureScrapeRows(result: SecureScrapeResult): Row[] {
  const k = `${result.series / 1000}k`;
  return [
    {
      benchmark: `scrape ${k} TLS`,
      measure: 'ms per GET /metrics, kept-alive connection',
      ours: fmt(result.tlsMs),
      baseline: `${fmt(result.plainMs)} plain HTTP`,
      ratio: ratio(result.tlsRatio),
      target: `≤ ${TLS_SCRAPE_TARGET}×`,
      verdict: verdict(result.tlsRatio <= TLS_SCRAPE_TARGET),
    },
    {
      benchmark: `scrape ${k} TLS + auth`,
      measure: 'ms per GET /metrics with basic auth (cached verdict)',
      ours: fmt(result.tlsAuthMs),
      baseline: 'plain HTTP, same run',
      ratio: ratio(result.tlsAuthRatio),
      target: `≤ ${TLS_SCRAPE_TARGET}×`,
      verdict: verdict(result.tlsAuthRatio <= TLS_SCRAPE_TARGET),
    },
    {
      benchmark: 'basic-auth check',
      measure: `ms per check, cached vs bcrypt (cost ${BCRYPT_COST})`,
      ours: fmt(result.cachedCheckMs, 4),
      baseline: `${fmt(result.bcryptCheckMs)} bcrypt`,
      ratio: ratio(result.cachedCheckMs / result.bcryptCheckMs),
      target: '—',
      verdict: 'info',
    },
  ];
}
