// Deterministic randomness shared by the emulators and the benchmarks: the same seed gives the
// same store (or file) on every machine.

/** mulberry32: a tiny, fast, seeded 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Stateless 32-bit mixer (murmur3 finaliser) used to derive per-record attributes lazily. */
export function mix32(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul((b >>> 0) + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform float in [0,1) derived from (record random, feature number). */
export function unit(rnd: number, feature: number): number {
  return mix32(rnd, feature) / 4294967296;
}

export function pick<T>(arr: readonly T[], u: number): T {
  const v = arr[Math.min(arr.length - 1, Math.floor(u * arr.length))];
  if (v === undefined) throw new Error("pick from empty array");
  return v;
}

/** Picks an index from cumulative weights (weights need not sum to 1). */
export function weighted(weights: readonly number[], u: number): number {
  let total = 0;
  for (const w of weights) total += w;
  let x = u * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] ?? 0;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

// ---------------------------------------------------------------------------------------------
// Numeric ids. Shopify ids are 64-bit integers. They are generated here as a fixed prefix followed
// by a fixed-width number, so that converting an index to an id and back never needs BigInt and the
// ids grow with the index (and therefore with creation time), like Shopify's.
