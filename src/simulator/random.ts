// A small seeded PRNG and the distributions the traffic generator draws from, so a seed
// always produces the same traffic (tests) while the demo still looks alive.

/** Uniform in [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast, good enough for simulated traffic (not for cryptography). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for one named stream, so adding a webhook does not change another webhook's traffic. */
export function deriveSeed(seed: number, name: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0; // FNV-1a over the name, starting from the seed
  for (let i = 0; i < name.length; i++) {
    hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash;
}

export function chance(random: Random, probability: number): boolean {
  return random() < probability;
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

/** Picks a value with probability proportional to its weight. */
export function pickWeighted<T>(random: Random, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let point = random() * total;
  for (const [value, weight] of choices) {
    point -= weight;
    if (point < 0) return value;
  }
  const last = choices[choices.length - 1];
  if (last === undefined) throw new RangeError('pick from an empty list');
  return last[0];
}

/** Log-normal around a median (what response times look like), clamped, whole milliseconds. */
export function logNormalMs(random: Random, medianMs: number, sigma: number, minMs: number, maxMs: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()); // Box-Muller
  const value = Math.round(medianMs * Math.exp(sigma * normal));
  return Math.min(maxMs, Math.max(minMs, value));
}

export function randomHex(random: Random, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += Math.floor(random() * 16).toString(16);
  return text;
}
