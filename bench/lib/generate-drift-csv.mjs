// Deterministic reference/current CSV pair for the drift benchmark: 10 numeric and 4 categorical
// columns that look like a feature table (normal, log-normal, uniform, skewed, integer, with
// missing values, many or few categories). The current file draws from the same distributions
// except in DRIFTED_COLUMNS, so a drift check has something to find. The same seed gives the same
// bytes.
//
//   node bench/lib/generate-drift-csv.mjs OUT_DIR [rows=1000000] [seed=7]
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../test/support/random.mjs';

/** The numeric columns, in file order. */
export const NUMERIC_COLUMNS = [
  'age',
  'income',
  'score',
  'balance',
  'tenure_days',
  'latency_ms',
  'sessions',
  'basket',
  'rating',
  'discount',
];
/** The categorical columns, in file order after the numeric ones. */
export const CATEGORICAL_COLUMNS = ['segment', 'channel', 'city', 'is_active'];
/** Columns whose current distribution differs from the reference's. */
export const DRIFTED_COLUMNS = ['age', 'score', 'latency_ms', 'channel'];

const SEGMENTS = ['consumer', 'smb', 'enterprise', 'public', 'education'];
const CHANNELS = ['web', 'mobile', 'store'];
const CITIES = Array.from({ length: 50 }, (_, i) => `city_${String(i).padStart(2, '0')}`);

/** A standard normal draw (Box–Muller on the seeded generator). */
function normal(random) {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Index into `weights` (which sum to 1) chosen with probability proportional to each weight. */
function pick(random, weights) {
  let u = random();
  for (let i = 0; i < weights.length - 1; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/** One generated row as CSV text (no line break); `current` applies the drift. */
export function generateDriftRow(random, current) {
  const age = Math.round(40 + 12 * normal(random) + (current ? 4 : 0));
  const income = random() < 0.03 ? '' : Math.exp(10.8 + 0.5 * normal(random)).toFixed(2);
  const score = ((current ? 0.3 : 0) + (current ? 1.4 : 1) * normal(random)).toFixed(4);
  const balance = (random() * 10_000).toFixed(2);
  const tenure = Math.floor(random() * 3650);
  const latency = (-Math.log(1 - random()) * (current ? 130 : 100)).toFixed(1);
  const sessions = Math.floor(-Math.log(1 - random()) * 6);
  const basket = (20 + 5 * normal(random)).toFixed(2);
  const rating = random() < 0.05 ? '' : (1 + 4 * random() ** 0.5).toFixed(1);
  const discount = (random() ** 3 * 0.5).toFixed(3);
  const segment = SEGMENTS[Math.floor(random() * SEGMENTS.length)];
  const channel = CHANNELS[pick(random, current ? [0.35, 0.5, 0.15] : [0.5, 0.3, 0.2])];
  const city = CITIES[Math.floor(random() ** 1.5 * CITIES.length)];
  const active = random() < 0.7 ? 'true' : 'false';
  return `${age},${income},${score},${balance},${tenure},${latency},${sessions},${basket},${rating},${discount},${segment},${channel},${city},${active}`;
}

async function writeRows(path, rows, random, current) {
  const out = createWriteStream(path);
  let bytes = 0;
  let buffer = [...NUMERIC_COLUMNS, ...CATEGORICAL_COLUMNS].join(',') + '\n';
  for (let index = 1; index <= rows; index++) {
    buffer += generateDriftRow(random, current) + '\n';
    if (buffer.length > 1 << 20 || index === rows) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

/**
 * Writes `reference.csv` and `current.csv` of `rows` rows each into `dir` (each from its own seeded
 * stream); resolves to their paths and byte counts.
 */
export async function generateDriftPair(dir, { rows = 1_000_000, seed = 7 } = {}) {
  const reference = join(dir, 'reference.csv');
  const current = join(dir, 'current.csv');
  const referenceBytes = await writeRows(reference, rows, seededRandom(seed), false);
  const currentBytes = await writeRows(current, rows, seededRandom(seed + 1), true);
  return { reference, current, referenceBytes, currentBytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, rows = '1000000', seed = '7'] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node bench/lib/generate-drift-csv.mjs OUT_DIR [rows] [seed]');
    process.exit(2);
  }
  const pair = await generateDriftPair(dir, { rows: Number(rows), seed: Number(seed) });
  console.log(
    `${pair.reference}: ${(pair.referenceBytes / 1e6).toFixed(1)} MB; ${pair.current}: ${(pair.currentBytes / 1e6).toFixed(1)} MB`,
  );
}
