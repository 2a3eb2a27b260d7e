/** Which columns a drift check tests: both sides' columns, the config's include/exclude, the `columns` input. */
import { ConfigurationError, InputError } from '../errors.js';
import type { DriftConfig, DriftProfile } from './types.js';

function quoteAll(names: readonly string[], limit = 8): string {
  const shown = names.slice(0, limit).map((name) => `"${name}"`);
  return names.length > limit ? `${shown.join(', ')} and ${names.length - limit} more` : shown.join(', ');
}

/**
 * The columns to test, in the reference's order: `columns` (the input) or the config's
 * `include`, else every column of the reference; minus the config's exclusions. A column missing
 * on one side is an error naming it (and the side); two sides with no column in common are
 * reported as data from another dataset.
 */
export function resolveColumns(
  reference: DriftProfile,
  current: DriftProfile,
  config: DriftConfig | undefined,
  requested: readonly string[] | undefined,
  sides: { reference: string; current: string },
): string[] {
  const referenceNames = reference.columns.map((column) => column.name);
  const currentNames = current.columns.map((column) => column.name);
  const inReference = new Set(referenceNames);
  const inCurrent = new Set(currentNames);
  if (!referenceNames.some((name) => inCurrent.has(name)))
    throw new InputError(
      `the ${sides.reference} and the ${sides.current} share no column, so they are not the same dataset: the reference has ${quoteAll(referenceNames)}; the current data has ${quoteAll(currentNames)}.`,
    );
  const excluded = new Set(config?.exclude ?? []);
  for (const [name, column] of Object.entries(config?.columns ?? {})) if (column.exclude) excluded.add(name);
  const listed = requested ?? config?.include;
  const candidates = listed
    ? [...listed]
    : [...referenceNames, ...currentNames.filter((name) => !inReference.has(name))];
  const chosen = candidates.filter((name) => !excluded.has(name));
  const missingReference = chosen.filter((name) => !inReference.has(name));
  const missingCurrent = chosen.filter((name) => !inCurrent.has(name));
  if (missingReference.length || missingCurrent.length) {
    const parts: string[] = [];
    if (missingCurrent.length)
      parts.push(
        `${quoteAll(missingCurrent)} ${missingCurrent.length > 1 ? 'are' : 'is'} missing in the ${sides.current}`,
      );
    if (missingReference.length)
      parts.push(
        `${quoteAll(missingReference)} ${missingReference.length > 1 ? 'are' : 'is'} missing in the ${sides.reference}`,
      );
    const how = listed
      ? requested
        ? 'drop them from columns'
        : 'drop them from include'
      : 'exclude them in the drift config';
    throw new InputError(`column ${parts.join(', and ')}; ${how} to test the others.`);
  }
  if (chosen.length === 0)
    throw new ConfigurationError(
      'no column is left to test after the exclusions.',
      config ? { file: config.source } : undefined,
    );
  return [...new Set(chosen)];
}
