#!/usr/bin/env node
/**
 * Writes test/fixtures/events/*.json: real webhook payloads (what GitHub puts in
 * GITHUB_EVENT_PATH) from the devDependency @octokit/webhooks-examples, plus a fork variant of the
 * pull request derived from the real one, and the hand-written schedule payload.
 *
 * Usage: node scripts/copy-event-fixtures.mjs
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, '..', 'test', 'fixtures', 'events');
const examplesFile = require.resolve('@octokit/webhooks-examples/api.github.com/index.json');
const examples = JSON.parse(readFileSync(examplesFile, 'utf8'));
const { version } = JSON.parse(readFileSync(resolve(dirname(examplesFile), '..', 'package.json'), 'utf8'));

/** The first example of `event` that satisfies `accept`. */
function pick(event, accept, what) {
  const entry = examples.find((candidate) => candidate.name === event);
  if (!entry) throw new Error(`@octokit/webhooks-examples ${version} has no "${event}" examples`);
  const found = entry.examples.find(accept);
  if (!found) throw new Error(`@octokit/webhooks-examples ${version} has no ${event} example with ${what}`);
  return structuredClone(found);
}

/** Replaces every occurrence of `from` by `to` in the strings of `value`. */
function replaceInStrings(value, from, to) {
  if (typeof value === 'string') return value.split(from).join(to);
  if (Array.isArray(value)) return value.map((child) => replaceInStrings(child, from, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, replaceInStrings(child, from, to)]));
  }
  return value;
}

/**
 * The same pull request opened from a fork: head.repo is another owner's repository with
 * `fork: true`, and the author and sender are that owner, as when an outside contributor opens it.
 */
function forkVariant(opened) {
  const payload = structuredClone(opened);
  const pr = payload.pull_request;
  const base = pr.base.repo;
  const upstreamOwner = base.owner.login;
  const contributor = 'fork-contributor';
  const contributorUser = replaceInStrings(structuredClone(pr.user), `/${pr.user.login}`, `/${contributor}`);
  Object.assign(contributorUser, { login: contributor, id: 98765432, node_id: 'MDQ6VXNlcjk4NzY1NDMy', type: 'User' });
  let head = replaceInStrings(structuredClone(base), `/${base.full_name}`, `/${contributor}/${base.name}`);
  head = replaceInStrings(head, `:${base.full_name}.git`, `:${contributor}/${base.name}.git`);
  Object.assign(head, {
    id: base.id + 1000,
    node_id: 'MDEwOlJlcG9zaXRvcnkxODYxNDE5OTk=',
    full_name: `${contributor}/${base.name}`,
    fork: true,
    owner: contributorUser,
  });
  pr.head = { ...pr.head, label: `${contributor}:${pr.head.ref}`, user: contributorUser, repo: head };
  pr.user = contributorUser;
  pr.author_association = 'FIRST_TIME_CONTRIBUTOR';
  payload.sender = contributorUser;
  if (pr.base.repo.owner.login !== upstreamOwner) throw new Error('fork variant changed the base repository');
  return payload;
}

const fixtures = {
  'pull_request.opened.json': pick(
    'pull_request',
    (p) => p.action === 'opened' && !p.pull_request.head.repo.fork && !p.installation,
    'action "opened"',
  ),
  'pull_request.synchronize.json': pick('pull_request', (p) => p.action === 'synchronize', 'action "synchronize"'),
  'push.json': pick(
    'push',
    (p) => p.ref.startsWith('refs/heads/') && p.commits.length > 0 && p.head_commit,
    'a branch push with commits',
  ),
  'workflow_dispatch.json': pick('workflow_dispatch', (p) => typeof p.ref === 'string' && p.repository, 'a ref'),
  'workflow_run.completed.json': pick(
    'workflow_run',
    (p) => p.action === 'completed' && p.workflow_run.conclusion === 'success',
    'a successful completed run',
  ),
};
fixtures['pull_request.opened.fork.json'] = forkVariant(fixtures['pull_request.opened.json']);
// GitHub's payload for a scheduled run: only the cron expression that fired.
fixtures['schedule.json'] = { schedule: '0 6 * * *' };

mkdirSync(outDir, { recursive: true });
for (const [name, payload] of Object.entries(fixtures)) {
  writeFileSync(resolve(outDir, name), JSON.stringify(payload, null, 2) + '\n');
}
writeFileSync(
  resolve(outDir, 'README.md'),
  `# Event payloads\n\nWritten by \`node scripts/copy-event-fixtures.mjs\` from @octokit/webhooks-examples ${version}\n` +
    '(real webhook payloads, as GitHub writes them to `GITHUB_EVENT_PATH`). `pull_request.opened.fork.json` is the\n' +
    'same pull request opened from a fork, derived by the script; `schedule.json` is written by the script.\n' +
    'Load them in tests with `loadEvent()` from test/support/events.ts. Do not edit by hand.\n',
);
process.stderr.write(`Wrote ${Object.keys(fixtures).length} event payloads to ${outDir}\n`);
