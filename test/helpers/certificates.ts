// Real certificates for TLS tests, made by the `openssl` command in a temporary folder: a CA, server
// certificates for localhost, and client certificates. EC P-256 keys: quick to make, and what
// cert-manager issues by default for many clusters.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pem {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** A self-signed CA named `name`, as `<name>.crt` and `<name>.key` in `dir`. */
export async function makeCa(dir: string, name: string): Promise<Pem> {
  await openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return pemFiles(dir, name);
}

/**
 * A leaf certificate signed by `ca`, as `<name>.crt` and `<name>.key`. `usage` sets the extended key
 * usage a server or a client needs; `sans` are openssl's `subjectAltName` entries (`DNS:…`, `IP:…`, `URI:…`).
 */
export async function makeLeaf(dir: string, ca: Pem, name: string, options: { usage: 'serverAuth' | 'clientAuth'; sans: string[] }): Promise<Pem> {
  await openssl(dir, [
    'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`,
    '-addext', `subjectAltName=${options.sans.join(',')}`, '-addext', `extendedKeyUsage=${options.usage}`,
  ]);
  await openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial',
    '-out', `${name}.crt`, '-days', '2', '-copy_extensions', 'copy',
  ]);
  return pemFiles(dir, name);
}

/** A server certificate for `localhost` and 127.0.0.1. */
export function makeServerCertificate(dir: string, ca: Pem, name: string): Promise<Pem> {
  return makeLeaf(dir, ca, name, { usage: 'serverAuth', sans: ['DNS:localhost', 'IP:127.0.0.1'] });
}

async function pemFiles(dir: string, name: string): Promise<Pem> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile, keyFile };
}
