// The one seeded random generator of the tests and benchmarks (plain JavaScript, so that the
// benchmarks, run as `node bench/x.mjs`, can import it too; types in random.d.mts).

/**
 * mulberry32: a small, fast generator whose sequence depends on the seed alone (the same on every
 * platform and Node.js version), so a failing test or a benchmark's data set is replayed exactly.
 * Returns a function giving numbers in [0, 1), like Math.random. Not for anything secret.
 */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
