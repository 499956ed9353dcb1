import { randomHex, type Random } from './random.js';

/** Like a Mongo ObjectId: 4 bytes of Unix seconds, then 8 random bytes, as 24 hex digits. */
export function objectId(nowMs: number, random: Random): string {
  const seconds = Math.floor(nowMs / 1000).toString(16).padStart(8, '0').slice(-8);
  return seconds + randomHex(random, 16);
}

/** A version-4 UUID drawn from `random`. */
export function uuidV4(random: Random): string {
  const hex = randomHex(random, 32).split('');
  hex[12] = '4';
  hex[16] = '89ab'.charAt(Math.floor(random() * 4));
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}
