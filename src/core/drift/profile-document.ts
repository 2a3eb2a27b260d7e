/**
 * Drift profile documents: parsing with schema and consistency checks, and merging the profiles
 * of a dataset's shards into the profile of the whole.
 */
import type { ErrorObject } from 'ajv';
import { driftProfile as validateDriftProfile } from '../../generated/validators/drift.js';
import { ConfigurationError, InputError } from '../errors.js';
import { countsOfSorted, jsonValues, mergeMoments, mergeSketches, momentsOf, sketchOfValues } from './profile.js';
import { sketchCount } from './sketch.js';
import type { DriftColumnProfile, DriftMoments, DriftProfile, DriftSketch } from './types.js';

/** A JSON pointer (`/columns/2/moments/count`) as a key path (`columns[2].moments.count`). */
function keyOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment),
      '',
    );
}

function schemaMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `unknown key "${String(params.additionalProperty)}"`;
  if (error.keyword === 'required') return `missing "${String(params.missingProperty)}"`;
  if (error.keyword === 'const') return `must be ${JSON.stringify(params.allowedValue)}`;
  return error.message ?? 'is invalid';
}

/** The number of values a column kept (finite numbers, or present categories). */
export function keptCount(column: DriftColumnProfile): number {
  if (column.type === 'categorical') return column.counts ? sumCounts(column.counts) : column.rows - column.nulls;
  return column.values ? column.values.length : (column.moments?.count ?? 0);
}

function sumCounts(counts: ReadonlyArray<readonly [string | number, number]>): number {
  let total = 0;
  for (const [, count] of counts) total += count;
  return total;
}

/** The first inconsistency of one column, as [key suffix, problem]; undefined when it holds together. */
function columnProblem(column: DriftColumnProfile, rows: number): [string, string] | undefined {
  if (column.rows !== rows) return ['rows', `is ${column.rows}, but the profile has ${rows} rows`];
  if (column.type === 'categorical') {
    for (const key of ['values', 'moments', 'sketch', 'integer', 'text'] as const)
      if (column[key] !== undefined) return [key, 'belongs to numeric columns only'];
    if (!column.counts && !column.counts_overflow) return ['counts', 'missing (a categorical column keeps its counts)'];
    if (column.counts && column.counts_overflow) return ['counts_overflow', 'is set, but the counts are there'];
    if (column.counts && column.nulls + sumCounts(column.counts) !== rows)
      return ['counts', `add up to ${sumCounts(column.counts)}, but ${rows - column.nulls} values are present`];
    if (column.non_finite !== 0) return ['non_finite', 'must be 0 for a categorical column'];
    return undefined;
  }
  if (!column.moments) return ['moments', 'missing (a numeric column keeps its moments)'];
  const moments = column.moments;
  if ((column.values === undefined) === (column.sketch === undefined))
    return [column.values ? 'sketch' : 'values', 'a numeric column keeps either its values or a sketch'];
  if (column.values) {
    const values = column.values;
    if (values.length !== moments.count)
      return ['moments.count', `is ${moments.count}, but ${values.length} values are stored`];
    for (let i = 1; i < values.length; i++)
      if (!(values[i - 1]! <= values[i]!)) return [`values[${i}]`, 'is out of order (values are stored sorted)'];
    if (values.length && (values[0] !== moments.min || values[values.length - 1] !== moments.max))
      return ['moments', 'min and max differ from the stored values'];
    if (column.counts || column.counts_overflow) return ['counts', 'belong to sketched columns only'];
  } else {
    const sketch = column.sketch!;
    if (sketch.keys.length !== sketch.counts.length)
      return ['sketch.counts', `has ${sketch.counts.length} entries for ${sketch.keys.length} keys`];
    for (let i = 1; i < sketch.keys.length; i++)
      if (!(sketch.keys[i - 1]! < sketch.keys[i]!)) return [`sketch.keys[${i}]`, 'is out of order (keys ascend)'];
    if (sketchCount(sketch) !== moments.count)
      return ['sketch', `holds ${sketchCount(sketch)} values, but moments.count is ${moments.count}`];
    if (!column.counts && !column.counts_overflow) return ['counts', 'missing (or counts_overflow)'];
    if (column.counts && sumCounts(column.counts) !== moments.count)
      return ['counts', `add up to ${sumCounts(column.counts)}, but moments.count is ${moments.count}`];
    if (column.counts?.some(([value]) => typeof value !== 'number'))
      return ['counts', 'of a numeric column must be numbers'];
  }
  if (
    moments.count > 0 &&
    !(moments.min <= moments.mean + Math.abs(moments.mean) * 1e-9 + 1e-300 && moments.min <= moments.max)
  )
    return ['moments', 'are inconsistent (min, mean, max out of order)'];
  if (column.nulls + column.non_finite + moments.count > rows)
    return ['nulls', `, non_finite and the values add up to more than the ${rows} rows`];
  return undefined;
}

/**
 * Parses and checks a drift profile document (schemas/drift-profile.schema.json), then its
 * internal consistency (counts that add up, sorted values, one sketch or the values): a corrupt
 * profile is one ConfigurationError naming the file and the key.
 */
export function parseDriftProfile(text: string, file: string): DriftProfile {
  let document: unknown;
  try {
    document = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new ConfigurationError(
      `not a drift profile: invalid JSON (${(error as Error).message.split('\n')[0]}); write one with mlops profile --profile-out.`,
      { file },
    );
  }
  if (
    typeof document === 'object' &&
    document !== null &&
    (document as { kind?: unknown }).kind !== 'mlops-drift-profile'
  )
    throw new ConfigurationError(
      `not a drift profile (kind is ${JSON.stringify((document as { kind?: unknown }).kind ?? null)}, expected "mlops-drift-profile"); write one with mlops profile --profile-out.`,
      { file, key: 'kind' },
    );
  if (!validateDriftProfile(document)) {
    const error = (validateDriftProfile.errors ?? [])[0]!;
    const key = keyOf(error.instancePath);
    throw new ConfigurationError(`corrupt drift profile: ${key || 'the document'} ${schemaMessage(error)}.`, {
      file,
      ...(key ? { key } : {}),
    });
  }
  const profile = document as DriftProfile;
  for (const column of profile.columns)
    if (column.values) column.values = jsonValues(Float64Array.from(column.values as unknown as number[]));
  const names = new Set<string>();
  profile.columns.forEach((column, index) => {
    const at = `columns[${index}]`;
    if (names.has(column.name))
      throw new ConfigurationError(`corrupt drift profile: column "${column.name}" appears twice.`, {
        file,
        key: `${at}.name`,
      });
    names.add(column.name);
    const problem = columnProblem(column, profile.rows);
    if (problem)
      throw new ConfigurationError(
        `corrupt drift profile: column "${column.name}": ${problem[0]} ${problem[1]}.`.replace(' ,', ','),
        {
          file,
          key: `${at}.${problem[0]}`,
        },
      );
  });
  return profile;
}

/** Merges two ascending arrays into one ascending array. */
function mergeSorted(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = jsonValues(new Float64Array(a.length + b.length));
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

function limitOf(value: number | null): number {
  return value === null ? Infinity : value;
}

function describeProfile(profile: DriftProfile, index: number): string {
  const files = profile.source.files;
  return `profile ${index + 1}${files.length ? ` (${files.slice(0, 2).join(', ')}${files.length > 2 ? ', …' : ''})` : ''}`;
}

/** Union of two count lists (sorted by value), or undefined past the cap. */
function mergeCounts(
  a: ReadonlyArray<readonly [string | number, number]>,
  b: ReadonlyArray<readonly [string | number, number]>,
  cap: number,
): Array<[string | number, number]> | undefined {
  const counts = new Map<string | number, number>();
  for (const list of [a, b]) for (const [value, count] of list) counts.set(value, (counts.get(value) ?? 0) + count);
  if (counts.size > cap) return undefined;
  return [...counts.entries()].sort((x, y) =>
    typeof x[0] === 'number' && typeof y[0] === 'number'
      ? x[0] - y[0]
      : String(x[0]) < String(y[0])
        ? -1
        : String(x[0]) > String(y[0])
          ? 1
          : 0,
  );
}

/** The exact-or-sketched numeric content of a column, for merging. */
interface NumericPart {
  values?: Float64Array;
  sketch?: DriftSketch;
  moments: DriftMoments;
  counts?: ReadonlyArray<readonly [string | number, number]>;
}

function numericPart(column: DriftColumnProfile, cap: number): NumericPart {
  if (column.values) {
    const counts = countsOfSorted(column.values, cap);
    return { values: column.values, moments: column.moments!, ...(counts ? { counts } : {}) };
  }
  return { sketch: column.sketch!, moments: column.moments!, ...(column.counts ? { counts: column.counts } : {}) };
}

function mergeNumeric(
  name: string,
  a: DriftColumnProfile,
  b: DriftColumnProfile,
  exactLimit: number,
  cap: number,
): DriftColumnProfile {
  const merged: DriftColumnProfile = {
    name,
    type: 'numeric',
    rows: a.rows + b.rows,
    nulls: a.nulls + b.nulls,
    non_finite: a.non_finite + b.non_finite,
  };
  // A column with no values at all (every cell missing) says nothing about the integer dtype.
  const integerA = a.integer === true || keptCount(a) === 0;
  const integerB = b.integer === true || keptCount(b) === 0;
  if (integerA && integerB && keptCount(a) + keptCount(b) > 0 && a.nulls + b.nulls === 0) merged.integer = true;
  const text = a.text ?? b.text;
  if (a.values && b.values && a.values.length + b.values.length <= exactLimit) {
    const values = mergeSorted(a.values, b.values);
    merged.values = values;
    merged.moments = momentsOf(values);
  } else {
    const x = numericPart(a, cap);
    const y = numericPart(b, cap);
    const stored = (part: NumericPart): DriftSketch => part.sketch ?? sketchOfValues(part.values!);
    merged.moments = mergeMoments(x.moments, y.moments);
    merged.sketch = mergeSketches(stored(x), stored(y));
    const counts = x.counts && y.counts ? mergeCounts(x.counts, y.counts, cap) : undefined;
    if (counts) merged.counts = counts;
    else merged.counts_overflow = true;
  }
  if (text) merged.text = text;
  return merged;
}

function mergeColumn(
  a: DriftColumnProfile,
  b: DriftColumnProfile,
  exactLimit: number,
  cap: number,
  where: () => string,
): DriftColumnProfile {
  // A column with no value in one shard takes the other's type: an all-empty shard says nothing.
  const emptyA = keptCount(a) === 0 && !a.text;
  const emptyB = keptCount(b) === 0 && !b.text;
  let type = a.type;
  if (a.type !== b.type) {
    if (emptyA) type = b.type;
    else if (!emptyB) throw new InputError(`cannot merge drift profiles: column "${a.name}" is ${where()}.`);
  }
  if (type === 'numeric') {
    const blank = (c: DriftColumnProfile): DriftColumnProfile =>
      c.type === 'numeric'
        ? c
        : {
            name: c.name,
            type: 'numeric',
            rows: c.rows,
            nulls: c.nulls,
            non_finite: 0,
            values: jsonValues(new Float64Array(0)),
            moments: momentsOf([]),
          };
    return mergeNumeric(a.name, blank(a), blank(b), exactLimit, cap);
  }
  const merged: DriftColumnProfile = {
    name: a.name,
    type: 'categorical',
    rows: a.rows + b.rows,
    nulls: a.nulls + b.nulls,
    non_finite: 0,
  };
  const counts =
    a.type === 'categorical' && b.type === 'categorical' && a.counts && b.counts
      ? mergeCounts(a.counts, b.counts, cap)
      : a.counts && emptyB
        ? ([...a.counts] as Array<[string | number, number]>)
        : b.counts && emptyA
          ? ([...b.counts] as Array<[string | number, number]>)
          : undefined;
  if (counts) merged.counts = counts;
  else merged.counts_overflow = true;
  return merged;
}

/**
 * Merges the profiles of disjoint parts of one dataset (the same columns, in the same order) into
 * the profile of the whole: counts, values and sketch buckets add up exactly, moments combine by
 * Chan's formulas, and the values stay exact while the whole has at most the exact limit of them.
 */
export function mergeDriftProfiles(profiles: readonly DriftProfile[]): DriftProfile {
  if (profiles.length === 0) throw new InputError('mergeDriftProfiles needs at least one profile.');
  const first = profiles[0]!;
  const names = first.columns.map((column) => column.name);
  profiles.forEach((profile, index) => {
    const theirs = profile.columns.map((column) => column.name);
    const missing = names.filter((name) => !theirs.includes(name));
    const extra = theirs.filter((name) => !names.includes(name));
    if (missing.length || extra.length)
      throw new InputError(
        `cannot merge drift profiles of different columns: ${describeProfile(profile, index)}${missing.length ? ` lacks ${missing.map((n) => `"${n}"`).join(', ')}` : ''}${missing.length && extra.length ? ' and' : ''}${extra.length ? ` has ${extra.map((n) => `"${n}"`).join(', ')} that ${describeProfile(first, 0)} lacks` : ''}.`,
      );
    if (theirs.some((name, i) => name !== names[i]))
      throw new InputError(
        `cannot merge drift profiles: ${describeProfile(profile, index)} has the columns in another order (${theirs.join(', ')}) than ${describeProfile(first, 0)} (${names.join(', ')}).`,
      );
  });
  const exactLimit = Math.min(...profiles.map((p) => limitOf(p.exact_limit)));
  const cap = Math.min(...profiles.map((p) => limitOf(p.category_cap)));
  let merged: DriftProfile = { ...first, source: { files: [...first.source.files] }, columns: first.columns };
  for (let index = 1; index < profiles.length; index++) {
    const next = profiles[index]!;
    merged = {
      kind: 'mlops-drift-profile',
      format: 1,
      rows: merged.rows + next.rows,
      source: { files: [...merged.source.files, ...next.source.files] },
      exact_limit: exactLimit === Infinity ? null : exactLimit,
      category_cap: cap === Infinity ? null : cap,
      columns: merged.columns.map((column, c) =>
        mergeColumn(
          column,
          next.columns[c]!,
          exactLimit,
          cap,
          () =>
            `${column.type} in ${describeProfile(first, 0)} but ${next.columns[c]!.type} in ${describeProfile(next, index)}`,
        ),
      ),
    };
  }
  delete merged.suite_profile;
  return merged;
}
