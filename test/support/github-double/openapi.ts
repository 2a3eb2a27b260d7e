/**
 * Routing and validation against GitHub's OpenAPI description (the trimmed copy under
 * test/fixtures/openapi/, cut by scripts/trim-openapi.mjs). The double serves exactly the
 * operations that description lists: a route it does not list is a 404, a request it forbids a
 * 422, and a response the double itself produces that the description forbids is a double bug.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const OPENAPI_FILE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'fixtures',
  'openapi',
  'api.github.com.trimmed.json',
);

const DOC_ID = 'github-openapi';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof METHODS)[number];

/** One operation of the description, with its compiled validators (built on first use). */
export interface Operation {
  operationId: string;
  method: HttpMethod;
  template: string;
  docsUrl: string;
  /** Served on the uploads host (upload_url), not the API host. */
  uploads: boolean;
  parameters: Parameter[];
  raw: JsonObject;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonObject;
}

export interface RouteMatch {
  operation: Operation;
  params: Record<string, string>;
}

export interface ValidationProblem {
  /** Which side broke the description: the client's request, or the double's own response. */
  kind: 'request' | 'response';
  method: string;
  path: string;
  operationId?: string;
  /** Where: `path`, `query`, `body`, or `response <status>`. */
  location: string;
  message: string;
  errors: ErrorObject[];
}

interface CompiledSpec {
  document: JsonObject;
  operations: Operation[];
  routes: {
    pattern: RegExp;
    literalCount: number;
    template: string;
    names: string[];
    byMethod: Map<string, Operation>;
  }[];
  ajv: Ajv;
  coercingAjv: Ajv;
  cache: Map<string, ValidateFunction>;
}

let compiled: CompiledSpec | undefined;

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

/**
 * Turns OpenAPI 3.0 schema dialect into JSON Schema ajv understands: `nullable: true` becomes a
 * `null` type (or an `anyOf` with null where there is no `type`, e.g. beside `allOf`), and local
 * `$ref`s become absolute so fragments can be compiled on their own.
 */
function toJsonSchema(value: Json): Json {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string' && child.startsWith('#/')) out[key] = `${DOC_ID}${child}`;
    else if (key === 'discriminator' || key === 'example' || key === 'examples') continue;
    else out[key] = toJsonSchema(child);
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  if (out.nullable === false) delete out.nullable;
  return out;
}

function collectFormats(value: Json, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const child of value) collectFormats(child, into);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (typeof value.format === 'string') into.add(value.format);
  for (const child of Object.values(value)) collectFormats(child, into);
}

function makeAjv(document: JsonObject, coerce: boolean): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateSchema: false,
    coerceTypes: coerce,
    useDefaults: false,
  });
  addFormats(ajv);
  // GitHub documents "" as the default of several `format: uri` fields (deployment statuses'
  // target_url, log_url, environment_url) and sends it: accept it where the description does.
  const uri = ajv.formats.uri;
  const uriCheck =
    typeof uri === 'function' ? uri : uri instanceof RegExp ? (text: string) => uri.test(text) : undefined;
  if (uriCheck) ajv.addFormat('uri', (text: string) => text === '' || uriCheck(text) === true);
  const formats = new Set<string>();
  collectFormats(document, formats);
  for (const format of formats) {
    // Formats ajv-formats does not know (GitHub uses a few free-form ones) only annotate.
    if (!ajv.formats[format]) ajv.addFormat(format, true);
  }
  ajv.addSchema(document as object, DOC_ID);
  return ajv;
}

function resolveLocal(document: JsonObject, ref: string): JsonObject {
  const pointer = ref.replace(`${DOC_ID}#/`, '').split('/');
  let node: Json = document;
  for (const part of pointer) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Error(`Bad $ref ${ref}`);
    node = node[key] ?? null;
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Error(`Dangling $ref ${ref}`);
  return node;
}

function docsUrlOf(raw: JsonObject): string {
  const external = raw.externalDocs;
  if (external && typeof external === 'object' && !Array.isArray(external) && typeof external.url === 'string') {
    return external.url;
  }
  return 'https://docs.github.com/rest';
}

/** Loads, converts and indexes the description once per process. */
export function spec(): CompiledSpec {
  if (compiled) return compiled;
  const original = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as JsonObject;
  const document = toJsonSchema(original) as JsonObject;
  const operations: Operation[] = [];
  const routes: CompiledSpec['routes'] = [];
  const paths = document.paths as Record<string, JsonObject>;
  for (const [template, item] of Object.entries(paths)) {
    const names: string[] = [];
    let literalCount = 0;
    const segments = template
      .split('/')
      .slice(1)
      .map((segment) => {
        const param = /^\{(.+)\}$/.exec(segment);
        if (!param?.[1]) {
          literalCount += 1;
          return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        }
        names.push(param[1]);
        // Git refs (`heads/feature/x`) keep their slashes: GitHub matches the rest of the path.
        return param[1] === 'ref' ? '(.+)' : '([^/]+)';
      });
    const pattern = new RegExp(`^/${segments.join('/')}$`);
    const byMethod = new Map<string, Operation>();
    const shared = (item.parameters as JsonObject[] | undefined) ?? [];
    for (const method of METHODS) {
      const raw = item[method] as JsonObject | undefined;
      if (!raw) continue;
      const parameters = [...shared, ...((raw.parameters as JsonObject[] | undefined) ?? [])].map((entry) => {
        const param = typeof entry.$ref === 'string' ? resolveLocal(document, entry.$ref) : entry;
        return {
          name: String(param.name),
          in: param.in as Parameter['in'],
          required: param.required === true,
          schema: (param.schema as JsonObject | undefined) ?? {},
        };
      });
      const servers = raw.servers as JsonObject[] | undefined;
      const operation: Operation = {
        operationId: String(raw.operationId),
        method,
        template,
        docsUrl: docsUrlOf(raw),
        uploads: !!servers?.some((server) => String(server.url).includes('uploads')),
        parameters,
        raw,
      };
      operations.push(operation);
      byMethod.set(method, operation);
    }
    routes.push({ pattern, literalCount, template, names, byMethod });
  }
  // Literal segments win over parameters: `/releases/latest` is not release "latest".
  routes.sort((a, b) => b.literalCount - a.literalCount);
  compiled = {
    document,
    operations,
    routes,
    ajv: makeAjv(document, false),
    coercingAjv: makeAjv(structuredClone(document), true),
    cache: new Map(),
  };
  return compiled;
}

/** Finds the operation for a method and path; `undefined` when the description has none. */
export function matchRoute(method: string, path: string): RouteMatch | { methodNotAllowed: true } | undefined {
  const { routes } = spec();
  let pathMatched = false;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    const operation = route.byMethod.get(method.toLowerCase());
    if (!operation) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    return { operation, params };
  }
  return pathMatched ? { methodNotAllowed: true } : undefined;
}

function validator(key: string, ajv: Ajv, schema: () => object): ValidateFunction {
  const { cache } = spec();
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.compile(schema());
    cache.set(key, validate);
  }
  return validate;
}

/**
 * Validates and coerces path or query parameters; returns the typed values, or the ajv errors.
 * Query parameters the description does not list are ignored, as GitHub ignores them.
 */
export function validateParameters(
  operation: Operation,
  where: 'path' | 'query',
  values: Record<string, string>,
): { ok: true; values: Record<string, unknown> } | { ok: false; errors: ErrorObject[] } {
  const listed = operation.parameters.filter((param) => param.in === where);
  const validate = validator(`${operation.operationId} ${where}`, spec().coercingAjv, () => ({
    type: 'object',
    properties: Object.fromEntries(listed.map((param) => [param.name, param.schema])),
    required: listed.filter((param) => param.required).map((param) => param.name),
  }));
  const data: Record<string, unknown> = {};
  for (const param of listed) if (values[param.name] !== undefined) data[param.name] = values[param.name];
  if (!validate(data)) return { ok: false, errors: validate.errors ?? [] };
  return { ok: true, values: data };
}

function jsonSchemaOfContent(content: Json | undefined): object | undefined {
  if (!content || typeof content !== 'object' || Array.isArray(content)) return undefined;
  const json = content['application/json'];
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const schema = json.schema;
  return schema && typeof schema === 'object' ? (schema as object) : undefined;
}

/** Validates a JSON request body; `required` bodies that are missing fail too. */
export function validateRequestBody(operation: Operation, body: unknown): ErrorObject[] {
  const requestBody = operation.raw.requestBody as JsonObject | undefined;
  if (!requestBody) return [];
  const schema = jsonSchemaOfContent(requestBody.content);
  if (!schema) return [];
  if (body === undefined) {
    if (requestBody.required !== true) return [];
    return [
      { instancePath: '', schemaPath: '#/required', keyword: 'required', params: {}, message: 'body is required' },
    ];
  }
  const validate = validator(`${operation.operationId} body`, spec().ajv, () => schema);
  return validate(body) ? [] : (validate.errors ?? []);
}

/**
 * Validates a response body the double produced. An undocumented status is itself a violation:
 * the double must answer only what GitHub documents (or `default`).
 */
export function validateResponse(operation: Operation, status: number, body: unknown): ErrorObject[] | undefined {
  const responses = operation.raw.responses as JsonObject;
  let response = (responses[String(status)] ?? responses.default) as JsonObject | undefined;
  if (response && typeof response.$ref === 'string') response = resolveLocal(spec().document, response.$ref);
  if (!response) return undefined;
  const schema = jsonSchemaOfContent(response.content);
  if (!schema) return [];
  if (body === undefined) {
    return [{ instancePath: '', schemaPath: '#', keyword: 'type', params: {}, message: 'response has no body' }];
  }
  const validate = validator(`${operation.operationId} ${status}`, spec().ajv, () => schema);
  return validate(body) ? [] : (validate.errors ?? []);
}

/** Whether the description documents `status` for the operation (errors GitHub sends anyway are not listed everywhere). */
export function documentsStatus(operation: Operation, status: number): boolean {
  const responses = operation.raw.responses as JsonObject;
  return responses[String(status)] !== undefined;
}

/**
 * Describes ajv errors the way GitHub words its 422s: `"body" wasn't supplied.`, or
 * `For 'properties/title', 5 is not a string.` (close to GitHub's JSON-schema messages).
 */
export function describeErrors(errors: ErrorObject[], data: unknown): string {
  const lines = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'required' && typeof error.params.missingProperty === 'string') {
      lines.add(`"${error.params.missingProperty}" wasn't supplied.`);
      continue;
    }
    if (error.keyword === 'required') {
      lines.add(error.message ?? 'A required value was not supplied.');
      continue;
    }
    if (['anyOf', 'oneOf', 'if'].includes(error.keyword)) continue;
    const value = valueAt(data, error.instancePath);
    const where = error.instancePath ? `'${error.instancePath.slice(1)}'` : 'the request';
    lines.add(`For ${where}, ${JSON.stringify(value)} ${error.message ?? 'is invalid'}.`);
  }
  if (lines.size === 0 && errors.length > 0) lines.add(errors.map((error) => error.message).join('; '));
  return [...lines].join('\n');
}

function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const part of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}
