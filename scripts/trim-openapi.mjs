#!/usr/bin/env node
/**
 * Writes test/fixtures/openapi/api.github.com.trimmed.json: GitHub's published OpenAPI description
 * (from the npm package @octokit/openapi, pinned below) cut down to the operations the GitHub API
 * double serves, with only the components those operations reference.
 *
 * The package is 385 MB unpacked, so it is NOT a dependency: this script fetches the pinned
 * tarball with `npm pack` into a temporary folder, reads `generated/api.github.com.json` (the
 * non-dereferenced description, whose `$ref`s keep the output small), and deletes the folder.
 * `examples` are dropped (they are most of the bytes and the double does not use them).
 *
 * Usage: node scripts/trim-openapi.mjs [--from path/to/api.github.com.json]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The @octokit/openapi release the fixture is cut from; bump it and re-run to follow GitHub. */
export const OPENAPI_PACKAGE = '@octokit/openapi@23.0.2';

/** Every operation the double serves, by GitHub's operationId. */
export const OPERATIONS = [
  'users/get-authenticated',
  'rate-limit/get',
  'issues/list-for-repo',
  'issues/create',
  'issues/get',
  'issues/update',
  'issues/list-comments',
  'issues/create-comment',
  'issues/get-comment',
  'issues/update-comment',
  'issues/delete-comment',
  'issues/list-labels-for-repo',
  'issues/create-label',
  'issues/get-label',
  'issues/list-labels-on-issue',
  'issues/add-labels',
  'issues/set-labels',
  'issues/remove-label',
  'search/issues-and-pull-requests',
  'repos/create-release',
  'repos/list-releases',
  'repos/get-release',
  'repos/get-release-by-tag',
  'repos/get-latest-release',
  'repos/update-release',
  'repos/delete-release',
  'repos/upload-release-asset',
  'repos/list-release-assets',
  'repos/get-release-asset',
  'repos/update-release-asset',
  'repos/delete-release-asset',
  'git/get-ref',
  'git/create-ref',
  'git/update-ref',
  'git/delete-ref',
  'repos/create-deployment',
  'repos/list-deployments',
  'repos/get-deployment',
  'repos/create-deployment-status',
  'repos/list-deployment-statuses',
  'checks/create',
  'checks/update',
  'checks/get',
  'repos/create-dispatch-event',
  'repos/get',
  'pulls/get',
];

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const here = dirname(fileURLToPath(import.meta.url));
const outFile = resolve(here, '..', 'test', 'fixtures', 'openapi', 'api.github.com.trimmed.json');

function loadDescription() {
  const fromIndex = process.argv.indexOf('--from');
  if (fromIndex !== -1) {
    const from = process.argv[fromIndex + 1];
    if (!from) throw new Error('--from needs a path to api.github.com.json');
    return JSON.parse(readFileSync(from, 'utf8'));
  }
  const work = mkdtempSync(join(tmpdir(), 'trim-openapi-'));
  try {
    process.stderr.write(`Fetching ${OPENAPI_PACKAGE} with npm pack...\n`);
    const tarball = execFileSync('npm', ['pack', OPENAPI_PACKAGE, '--silent', '--pack-destination', work], {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .pop();
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/generated/api.github.com.json']);
    return JSON.parse(readFileSync(join(work, 'package', 'generated', 'api.github.com.json'), 'utf8'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Removes `examples`/`example` payloads (bulky, unused) from a copy of the value. */
function withoutExamples(value) {
  if (Array.isArray(value)) return value.map(withoutExamples);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'examples' || key === 'example') continue;
    out[key] = withoutExamples(child);
  }
  return out;
}

/** Collects every `#/components/<kind>/<name>` that `value` references, transitively. */
function collectRefs(value, description, seen) {
  if (Array.isArray(value)) {
    for (const child of value) collectRefs(child, description, seen);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (typeof value.$ref === 'string') {
    const match = /^#\/components\/([^/]+)\/(.+)$/.exec(value.$ref);
    if (!match) throw new Error(`Unsupported $ref ${value.$ref}`);
    const [, kind, name] = match;
    const key = `${kind}/${name}`;
    if (!seen.has(key)) {
      const target = description.components?.[kind]?.[name];
      if (target === undefined) throw new Error(`Dangling $ref ${value.$ref}`);
      seen.set(key, withoutExamples(target));
      collectRefs(seen.get(key), description, seen);
    }
  }
  for (const child of Object.values(value)) collectRefs(child, description, seen);
}

function main() {
  const description = loadDescription();
  const wanted = new Set(OPERATIONS);
  const paths = {};
  for (const [path, item] of Object.entries(description.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method) || !wanted.has(operation.operationId)) continue;
      wanted.delete(operation.operationId);
      paths[path] ??= {};
      if (item.parameters) paths[path].parameters = item.parameters;
      const { operationId, summary, externalDocs, servers, parameters, requestBody, responses } = operation;
      paths[path][method] = withoutExamples({
        operationId,
        summary,
        externalDocs,
        servers,
        parameters,
        requestBody,
        responses,
      });
    }
  }
  if (wanted.size > 0) throw new Error(`Operations missing from ${OPENAPI_PACKAGE}: ${[...wanted].join(', ')}`);

  const seen = new Map();
  collectRefs(paths, description, seen);
  const components = {};
  for (const key of [...seen.keys()].sort()) {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    components[kind] ??= {};
    components[kind][key.slice(slash + 1)] = seen.get(key);
  }
  const trimmed = {
    openapi: description.openapi,
    info: {
      title: description.info.title,
      version: description.info.version,
      description: `Trimmed by scripts/trim-openapi.mjs from ${OPENAPI_PACKAGE} (generated/api.github.com.json): only the operations the GitHub API double serves.`,
    },
    servers: description.servers,
    paths,
    components,
  };
  mkdirSync(dirname(outFile), { recursive: true });
  const text = JSON.stringify(trimmed, null, 1) + '\n';
  writeFileSync(outFile, text);
  process.stderr.write(
    `Wrote ${outFile}: ${OPERATIONS.length} operations, ${seen.size} components, ${(text.length / 1024).toFixed(0)} KiB\n`,
  );
}

main();
