// What a loaded web config is, and the TLS options it makes, without the loader: the server uses
// these on every start, while the loader (and zod, yaml behind it) is needed only when a web config
// file is read.

import type { SecureVersion } from 'node:tls';

/** The client-certificate policies of Go's crypto/tls, by the names the toolkit's file uses. */
export const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** What the server needs to serve TLS; the PEM texts are read from the files (or given inline). */
export interface TlsSettings {
  cert: string;
  key: string;
  /** PEM of the CAs that sign client certificates. */
  clientCa: string | undefined;
  clientAuth: ClientAuthType;
  /** A client certificate must carry one of these SANs (DNS, IP, e-mail or URI), exactly. */
  clientAllowedSans: readonly string[] | undefined;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  /** OpenSSL cipher list for TLS ≤ 1.2; undefined for Node's default. */
  ciphers: string | undefined;
  honorCipherOrder: boolean;
  /** OpenSSL group list; undefined for Node's default. */
  ecdhCurve: string | undefined;
}

export interface WebConfig {
  /** Absolute path of the web config file. */
  file: string;
  tls: TlsSettings | undefined;
  /** User name → bcrypt hash; undefined when no user is configured (no basic auth). */
  basicAuthUsers: ReadonlyMap<string, string> | undefined;
  /** Added to every response, unless the exporter sets the same header itself (its own is stricter). */
  headers: Readonly<Record<string, string>>;
  rateLimit: { intervalMs: number; burst: number } | undefined;
  /** Every file read, the web config first: a change to any of them triggers a reload. */
  files: readonly string[];
}

/** The options of tls.createSecureContext and server.setSecureContext for these settings. */
export function secureContextOptions(settings: TlsSettings) {
  return {
    cert: settings.cert,
    key: settings.key,
    ca: settings.clientCa,
    minVersion: settings.minVersion,
    maxVersion: settings.maxVersion,
    ciphers: settings.ciphers,
    honorCipherOrder: settings.honorCipherOrder,
    ecdhCurve: settings.ecdhCurve,
  };
}
