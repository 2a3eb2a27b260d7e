/** Types for test/support/random.mjs. */

/** A seeded generator (mulberry32) of numbers in [0, 1): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number;
