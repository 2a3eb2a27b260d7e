// Deterministic CSV generator for the data benchmarks: 10 columns that look like a real
// feature table (ids, integers with missing values, floats, categories, dates, date-times,
// e-mails, booleans, a quoted free-text field). The same seed gives the same bytes.
//
//   node bench/lib/generate-csv.mjs OUT.csv [rows=1000000] [seed=42]
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../test/support/random.mjs';

/** The header of every generated file. */
export const GENERATED_COLUMNS = [
  'id',
  'age',
  'income',
  'score',
  'segment',
  'signup_date',
  'last_seen',
  'email',
  'is_active',
  'comment',
];

const SEGMENTS = ['consumer', 'smb', 'enterprise', 'public', 'education'];
const COMMENTS = ['', 'renewal due', 'asked for "discount"', 'moved, new address', 'vip'];
const DAY = 86_400_000;
const START = Date.UTC(2015, 0, 1);

function pad(value, width = 2) {
  return String(value).padStart(width, '0');
}

function isoDate(ms) {
  const date = new Date(ms);
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

function csvQuote(text) {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One generated row as CSV text (no line break). */
export function generateRow(index, random) {
  const age = random() < 0.05 ? '' : String(18 + Math.floor(random() * 70));
  const income = random() < 0.03 ? 'NA' : (20_000 + random() * 180_000).toFixed(2);
  const score = (random() * 2 - 1).toPrecision(6);
  const segment = SEGMENTS[Math.floor(random() * SEGMENTS.length)];
  const signup = START + Math.floor(random() * 3000) * DAY;
  const lastSeen = signup + Math.floor(random() * 400 * DAY);
  const email = `user${index}@example${Math.floor(random() * 50)}.com`;
  const active = random() < 0.7 ? 'true' : 'false';
  const comment = COMMENTS[Math.floor(random() * COMMENTS.length)];
  return [
    index,
    age,
    income,
    score,
    segment,
    isoDate(signup),
    new Date(lastSeen).toISOString().slice(0, 19),
    email,
    active,
    csvQuote(comment),
  ].join(',');
}

/** Writes `rows` generated rows (plus the header) to `path`; resolves to the byte count. */
export async function generateCsv(path, { rows = 1_000_000, seed = 42 } = {}) {
  const random = seededRandom(seed);
  const out = createWriteStream(path);
  let bytes = 0;
  let buffer = GENERATED_COLUMNS.join(',') + '\n';
  for (let index = 1; index <= rows; index++) {
    buffer += generateRow(index, random) + '\n';
    if (buffer.length > 1 << 20 || index === rows) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  if (buffer) {
    bytes += Buffer.byteLength(buffer);
    out.write(buffer);
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [path, rows = '1000000', seed = '42'] = process.argv.slice(2);
  if (!path) {
    console.error('usage: node bench/lib/generate-csv.mjs OUT.csv [rows] [seed]');
    process.exit(2);
  }
  const bytes = await generateCsv(path, { rows: Number(rows), seed: Number(seed) });
  console.log(`${path}: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB`);
}
