// TLS and client certificates as the web config asks, and the web config re-read whenever one of its
// files changes. A reload that fails keeps the previous configuration serving.

import { stat } from 'node:fs/promises';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
// Types and TLS options only: the loader (zod, yaml) is imported when a file has changed.
import { secureContextOptions, type TlsSettings, type WebConfig } from '../config/web-config-types.js';

/** The options of https.createServer (and of a later server.setSecureContext) for these settings. */
export function tlsServerOptions(tls: TlsSettings) {
  const asks = tls.clientAuth !== 'NoClientCert';
  return {
    ...secureContextOptions(tls),
    requestCert: asks,
    // Only this policy lets OpenSSL end the handshake itself; the others are judged once it is done.
    rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
    // Scrapers finish a handshake in milliseconds; a client that stalls in it holds a socket.
    handshakeTimeout: 10_000,
  };
}

/**
 * What OpenSSL leaves to us once a handshake is done: a certificate that the policy requires but
 * the client did not send, one that does not verify when given, or one without an allowed SAN.
 */
export function clientCertificateProblem(socket: TLSSocket, tls: TlsSettings): string | undefined {
  if (tls.clientAuth === 'NoClientCert' || tls.clientAuth === 'RequestClientCert') return undefined;
  const certificate = socket.getPeerCertificate();
  const given = certificate !== null && Object.keys(certificate).length > 0;
  if (!given) {
    return tls.clientAuth === 'VerifyClientCertIfGiven' ? undefined : 'no client certificate';
  }
  if ((tls.clientAuth === 'VerifyClientCertIfGiven' || tls.clientAuth === 'RequireAndVerifyClientCert') && !socket.authorized) {
    return `client certificate not verified: ${String(socket.authorizationError)}`;
  }
  if (tls.clientAllowedSans !== undefined) {
    const sans = subjectAltNames(certificate.subjectaltname);
    if (!tls.clientAllowedSans.some((allowed) => sans.has(allowed))) return 'client certificate carries no allowed SAN';
  }
  return undefined;
}

/** `DNS:a.example, IP Address:10.0.0.1, URI:spiffe://…, email:x@y` → the values. */
function subjectAltNames(text: string | undefined): Set<string> {
  const names = new Set<string>();
  for (const part of (text ?? '').split(', ')) {
    const colon = part.indexOf(':');
    if (colon > 0) names.add(part.slice(colon + 1));
  }
  return names;
}

export interface ReloadTarget {
  readonly server: HttpServer | HttpsServer;
  /** Takes a new web config: its access policy and TLS settings serve every request from now on. */
  apply(next: WebConfig): void;
  onError(): void;
  logger?: Logger;
}

/**
 * Polls the files' size, time and inode every interval (a Kubernetes Secret update swaps a
 * symlink; inotify would miss it). A change is reloaded once it has held still for one interval,
 * so that a certificate and its key written one after the other are read as a pair.
 */
export class WebConfigWatcher {
  private timer: NodeJS.Timeout | undefined;
  private lastFingerprint: string | undefined;
  private pendingFingerprint: string | undefined;
  private checking = false;

  constructor(
    private current: WebConfig,
    private readonly target: ReloadTarget,
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    this.lastFingerprint = await fingerprintFiles(this.current.files);
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at the files; exposed for tests. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const fingerprint = await fingerprintFiles(this.current.files);
      if (fingerprint === this.lastFingerprint) {
        this.pendingFingerprint = undefined;
        return;
      }
      if (fingerprint !== this.pendingFingerprint) {
        this.pendingFingerprint = fingerprint; // changed: look again next interval
        return;
      }
      this.pendingFingerprint = undefined;
      this.lastFingerprint = fingerprint; // a bad file is reported once, not every interval
      await this.reload();
    } finally {
      this.checking = false;
    }
  }

  private async reload(): Promise<void> {
    const { logger } = this.target;
    const { ConfigError, loadWebConfig } = await import('../config/index.js');
    let next: WebConfig;
    try {
      next = await loadWebConfig(this.current.file);
      if ((next.tls === undefined) !== (this.current.tls === undefined)) {
        throw new ConfigError([`${this.current.file}: turning TLS ${next.tls ? 'on' : 'off'} needs a restart: the port cannot change protocol while it serves`]);
      }
    } catch (error) {
      this.target.onError();
      const problems = error instanceof ConfigError ? error.problems : [error instanceof Error ? error.message : String(error)];
      logger?.error({ file: this.current.file, problems }, 'web config not reloaded: the previous one keeps serving');
      return;
    }
    // Files named by the new config may differ from the old ones: watch what it reads.
    this.lastFingerprint = await fingerprintFiles(next.files);
    this.current = next;
    this.target.apply(next);
    logger?.info({ file: next.file, tls: next.tls !== undefined, users: next.basicAuthUsers?.size ?? 0 }, 'web config reloaded');
  }
}

/** Size, modification time and inode of each file: a Kubernetes Secret update swaps a symlink, which changes them. */
async function fingerprintFiles(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (file) => {
      try {
        const info = await stat(file);
        return `${info.ino}:${info.size}:${info.mtimeMs}`;
      } catch (error) {
        return `missing:${(error as NodeJS.ErrnoException).code ?? ''}`;
      }
    }),
  );
  return parts.join('|');
}
