// The GitHub App JWT: a signature node:crypto verifies with the App's public key, the claims
// GitHub requires, and reuse and renewal on an injected clock.

import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appPrivateKeyProblem, createAppJwtSource, type AppJwtClaims } from '../../src/providers/github/app-jwt.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PKCS1_PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PKCS8_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const T0 = Date.UTC(2026, 4, 28, 12, 0, 0);

function decode(token: string): { header: Record<string, unknown>; claims: AppJwtClaims; signatureValid: boolean } {
  const [header, claims, signature] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString()) as AppJwtClaims,
    signatureValid: verify('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url')),
  };
}

describe('GitHub App JWT', () => {
  it.each([
    ['PKCS#1 (as GitHub issues it)', PKCS1_PEM],
    ['PKCS#8', PKCS8_PEM],
  ])('is RS256, signed with the %s key, verifiable with its public key', (_name, pem) => {
    const token = createAppJwtSource({ appId: 123456, privateKeyPem: pem, now: () => T0 }).token();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/); // base64url, no padding
    const { header, claims, signatureValid } = decode(token);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(signatureValid).toBe(true);
    expect(claims).toEqual({ iss: 123456, iat: T0 / 1000 - 60, exp: T0 / 1000 - 60 + 600 });
  });

  it('does not verify with another key, nor once tampered with', () => {
    const token = createAppJwtSource({ appId: 1, privateKeyPem: PKCS1_PEM, now: () => T0 }).token();
    const other = createPublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }));
    const [header, claims, signature] = token.split('.') as [string, string, string];
    expect(verify('sha256', Buffer.from(`${header}.${claims}`), other, Buffer.from(signature, 'base64url'))).toBe(false);
    const forged = Buffer.from(JSON.stringify({ iss: 2, iat: 0, exp: 600 })).toString('base64url');
    expect(decode(`${header}.${forged}.${signature}`).signatureValid).toBe(false);
  });

  it('keeps a client id as a string', () => {
    const token = createAppJwtSource({ appId: 'Iv1.8a61f9b3a7aba766', privateKeyPem: PKCS1_PEM, now: () => T0 }).token();
    expect(decode(token).claims.iss).toBe('Iv1.8a61f9b3a7aba766');
  });

  it('reuses a token until fewer than 60 s remain, then signs a new one', () => {
    let now = T0 + 999; // within the second: iat and exp are whole seconds
    const source = createAppJwtSource({ appId: 1, privateKeyPem: PKCS1_PEM, now: () => now });
    const first = source.token();
    const { exp } = decode(first).claims;
    expect(exp - Math.floor(now / 1000)).toBe(540); // ten minutes after iat, nine from now
    now = (exp - 60) * 1000; // exactly 60 s left: still good
    expect(source.token()).toBe(first);
    now = (exp - 59) * 1000;
    const second = source.token();
    expect(second).not.toBe(first);
    expect(decode(second).claims).toEqual({ iss: 1, iat: exp - 59 - 60, exp: exp - 59 - 60 + 600 });
    expect(decode(second).signatureValid).toBe(true);
    expect(source.token()).toBe(second);
  });

  it('renews after a clock jump past expiry, and never issues an expired token', () => {
    let now = T0;
    const source = createAppJwtSource({ appId: 1, privateKeyPem: PKCS1_PEM, now: () => now });
    for (let step = 0; step < 50; step++) {
      now += 37_000;
      const { claims } = decode(source.token());
      const nowSeconds = Math.floor(now / 1000);
      expect(claims.exp - nowSeconds).toBeGreaterThanOrEqual(60);
      expect(claims.exp - claims.iat).toBeLessThanOrEqual(600);
      expect(claims.iat).toBeLessThanOrEqual(nowSeconds);
    }
  });

  it.each([
    ['not PEM', 'hello', 'is not a PEM private key'],
    ['a public key', publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'is not a PEM private key'],
    ['an EC key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'is a key of type ec'],
  ])('refuses %s, without repeating it', (_name, pem, problem) => {
    expect(appPrivateKeyProblem(pem)).toContain(problem);
    expect(() => createAppJwtSource({ appId: 1, privateKeyPem: pem })).toThrow(problem);
    expect(appPrivateKeyProblem(pem)).not.toContain(pem.slice(0, 20));
  });

  it('accepts the App key', () => {
    expect(appPrivateKeyProblem(PKCS1_PEM)).toBeUndefined();
  });
});
