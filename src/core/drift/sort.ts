/**
 * Sorting large columns of doubles: an LSD radix sort on the doubles' bits (four 16-bit passes),
 * several times faster than Float64Array.prototype.sort on a million values; small arrays use
 * the built-in sort. Finite values only (profiles drop NaN first); -0 sorts before 0, as the
 * built-in sort does.
 */
const RADIX_MIN = 50_000;

/** Sorts `values` in place, ascending, and returns it. */
export function sortDoubles(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN) return values.sort();
  // Little-endian words of each double: [low, high]. Flip them so that unsigned order is numeric
  // order: negatives get every bit flipped, positives just the sign bit.
  let words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  if (new Uint8Array(new Float64Array([1]).buffer)[7] !== 0x3f) return values.sort(); // big-endian host
  const keys = new Uint32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const low = words[2 * i]!;
    const high = words[2 * i + 1]!;
    if (high & 0x80000000) {
      keys[2 * i] = ~low >>> 0;
      keys[2 * i + 1] = ~high >>> 0;
    } else {
      keys[2 * i] = low;
      keys[2 * i + 1] = (high ^ 0x80000000) >>> 0;
    }
  }
  let from = keys;
  let to = new Uint32Array(n * 2);
  const counts = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass < 2 ? 0 : 1;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(from[2 * i + word]! >>> shift) & 0xffff]!++;
    let total = 0;
    for (let d = 0; d < 65536; d++) {
      const count = counts[d]!;
      counts[d] = total;
      total += count;
    }
    for (let i = 0; i < n; i++) {
      const digit = (from[2 * i + word]! >>> shift) & 0xffff;
      const at = counts[digit]!++;
      to[2 * at] = from[2 * i]!;
      to[2 * at + 1] = from[2 * i + 1]!;
    }
    [from, to] = [to, from];
  }
  words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    const low = from[2 * i]!;
    const high = from[2 * i + 1]!;
    if (high & 0x80000000) {
      words[2 * i] = low;
      words[2 * i + 1] = (high ^ 0x80000000) >>> 0;
    } else {
      words[2 * i] = ~low >>> 0;
      words[2 * i + 1] = ~high >>> 0;
    }
  }
  return values;
}
