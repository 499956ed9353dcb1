// The JSON Web Token a GitHub App signs to read its own webhook's deliveries: RS256 over
// `{iss: appId, iat, exp}`, with `iat` a minute in the past (clock drift) and `exp` at most ten
// minutes after `iat`. Made with node:crypto; one token is reused until it nears its expiry.

import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

/** `iat` this far in the past, so a server whose clock runs behind still accepts the token. */
export const CLOCK_DRIFT_SECONDS = 60;
/** GitHub refuses an `exp` more than ten minutes after `iat`. */
export const MAX_LIFETIME_SECONDS = 600;
/** A cached token is replaced once fewer than this many seconds remain. */
export const RENEW_BEFORE_SECONDS = 60;

export interface AppJwtOptions {
  /** The App's id (or client id): the token's `iss`. */
  appId: string | number;
  /** PEM text of the App's private key (PKCS#1 `RSA PRIVATE KEY`, as GitHub issues it, or PKCS#8). */
  privateKeyPem: string;
  /** Clock, Unix milliseconds; default Date.now. */
  now?: () => number;
}

export interface AppJwtClaims {
  iss: string | number;
  iat: number;
  exp: number;
}

/** Hands out a valid App JWT, signing a new one only when the cached one is about to expire. */
export interface AppJwtSource {
  token(): string;
}

/** Why this PEM cannot sign an App JWT, in words that never repeat the key; undefined when it can. */
export function appPrivateKeyProblem(privateKeyPem: string): string | undefined {
  const key = readRsaKey(privateKeyPem);
  return typeof key === 'string' ? key : undefined;
}

/** Throws (with a message that never repeats the key) when the key is not an RSA private key. */
export function createAppJwtSource(options: AppJwtOptions): AppJwtSource {
  const key = readRsaKey(options.privateKeyPem);
  if (typeof key === 'string') throw new Error(key);
  const now = options.now ?? Date.now;
  let cached: { token: string; exp: number } | undefined;
  return {
    token() {
      const nowSeconds = Math.floor(now() / 1000);
      if (cached === undefined || cached.exp - nowSeconds < RENEW_BEFORE_SECONDS) {
        const iat = nowSeconds - CLOCK_DRIFT_SECONDS;
        const claims: AppJwtClaims = { iss: options.appId, iat, exp: iat + MAX_LIFETIME_SECONDS };
        cached = { token: signJwt(claims, key), exp: claims.exp };
      }
      return cached.token;
    },
  };
}

function signJwt(claims: AppJwtClaims, key: KeyObject): string {
  const signingInput = `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url(claims)}`;
  // RS256 is RSASSA-PKCS1-v1_5 with SHA-256, node's default padding for RSA keys.
  const signature = sign('sha256', Buffer.from(signingInput), key);
  return `${signingInput}.${signature.toString('base64url')}`;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function readRsaKey(pem: string): KeyObject | string {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    return 'is not a PEM private key (expected the .pem file GitHub issued for the App)';
  }
  return key.asymmetricKeyType === 'rsa' ? key : `is a key of type ${key.asymmetricKeyType ?? 'unknown'}: GitHub App keys are RSA`;
}
