import type { ErrorObject, ValidateFunction } from 'ajv';
import commonSchema from '../../../schemas/registry/common.schema.json' with { type: 'json' };
import registrySchema from '../../../schemas/registry/registry.schema.json' with { type: 'json' };
import indexSchema from '../../../schemas/registry/index.schema.json' with { type: 'json' };
import modelIndexSchema from '../../../schemas/registry/model-index.schema.json' with { type: 'json' };
import versionsSchema from '../../../schemas/registry/versions.schema.json' with { type: 'json' };
import keysSchema from '../../../schemas/registry/keys.schema.json' with { type: 'json' };
import eventSchema from '../../../schemas/registry/event.schema.json' with { type: 'json' };
import runRecordSchema from '../../../schemas/registry/run-record.schema.json' with { type: 'json' };
import runSchema from '../../../schemas/registry/run.schema.json' with { type: 'json' };
import * as generated from '../../generated/validators/registry.js';

/** The stored document kinds, each with its schema in schemas/registry/. */
export type DocumentKind = 'registry' | 'index' | 'model-index' | 'versions' | 'keys' | 'event' | 'run-record' | 'run';

/**
 * The validators, compiled ahead of time from the schemas by
 * schemas/registry/generate-validators.mjs (ajv standalone code), so that no command pays for
 * compiling schemas at start-up. A unit test fails when they are out of date.
 */
const validators: Record<DocumentKind, ValidateFunction> = {
  registry: generated.registry,
  index: generated.index,
  'model-index': generated.modelIndex,
  versions: generated.versions,
  keys: generated.keys,
  event: generated.event,
  'run-record': generated.runRecord,
  run: generated.run,
};

/** One readable line for ajv's first error: `/aliases/production/version must be integer`. */
export function describeSchemaError(error: ErrorObject | undefined): string {
  if (!error) return 'does not match its schema';
  const where = error.instancePath || '(top level)';
  if (error.keyword === 'additionalProperties') {
    return `${where}: unexpected property "${String(error.params.additionalProperty)}"`;
  }
  if (error.keyword === 'enum' && error.params.allowedValues) {
    const allowed = (error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
    return `${where} ${error.message ?? 'is invalid'} (${allowed})`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}

/** Validates `value` against the schema of `kind`; returns the problem as one line, or undefined. */
export function schemaProblem(kind: DocumentKind, value: unknown): string | undefined {
  const validate = validators[kind];
  if (validate(value)) return undefined;
  return describeSchemaError(validate.errors?.[0] ?? undefined);
}

/** The schema documents, for publishing (editors) and tests. */
export const registrySchemas: Readonly<Record<DocumentKind | 'common', object>> = {
  common: commonSchema,
  registry: registrySchema,
  index: indexSchema,
  'model-index': modelIndexSchema,
  versions: versionsSchema,
  keys: keysSchema,
  event: eventSchema,
  'run-record': runRecordSchema,
  run: runSchema,
};
