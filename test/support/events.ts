/**
 * Real webhook payloads (test/fixtures/events/, copied by scripts/copy-event-fixtures.mjs from
 * @octokit/webhooks-examples) for GITHUB_EVENT_PATH, retargeted at the repository, pull request
 * and API a test uses.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const EVENTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'events');

export type EventFixture =
  | 'pull_request.opened'
  | 'pull_request.synchronize'
  | 'pull_request.opened.fork'
  | 'push'
  | 'workflow_dispatch'
  | 'workflow_run.completed'
  | 'schedule';

/** Where a payload should point. Everything is optional: unset parts keep the fixture's values. */
export interface EventTarget {
  /** Owner of the repository the workflow runs in (repository.owner, base repository). */
  owner?: string;
  /** Name of that repository. */
  repo?: string;
  /** Pull request number (payload.number, pull_request.number, and the URLs that carry it). */
  pullNumber?: number;
  /** Head commit: pull_request.head.sha, or push `after` / head_commit.id. */
  headSha?: string;
  /** Base commit: pull_request.base.sha, or push `before`. */
  baseSha?: string;
  /** Base branch of a pull request (pull_request.base.ref). */
  baseRef?: string;
  /** Head branch of a pull request (pull_request.head.ref). */
  headRef?: string;
  /** GITHUB_API_URL the payload's API URLs should use (the double's `url`). */
  apiUrl?: string;
  /** GITHUB_SERVER_URL for the payload's web URLs (the double's `serverUrl`). */
  serverUrl?: string;
  /** workflow_dispatch inputs. */
  inputs?: Record<string, string | boolean | number>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The GITHUB_EVENT_NAME of a fixture: `pull_request.opened` → `pull_request`. */
export function eventNameOf(fixture: EventFixture): string {
  return fixture.split('.')[0] ?? fixture;
}

function mapStrings(value: Json, map: (text: string) => string): Json {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((child) => mapStrings(child, map));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, mapStrings(child, map)]));
  }
  return value;
}

function object(value: Json | undefined): JsonObject | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function replaceAll(text: string, from: string, to: string): string {
  return from === '' ? text : text.split(from).join(to);
}

/** Retargets one owner object (`repository.owner`, `base.user`, ...) in place. */
function renameOwner(
  holder: JsonObject | undefined,
  key: string,
  oldOwner: string,
  newOwner: string,
  web: string,
): void {
  const owner = object(holder?.[key]);
  if (!holder || !owner || owner.login !== oldOwner) return;
  const renamed = mapStrings(owner, (text) =>
    text === `${web}/${oldOwner}` ? `${web}/${newOwner}` : replaceAll(text, `/users/${oldOwner}`, `/users/${newOwner}`),
  ) as JsonObject;
  renamed.login = newOwner;
  holder[key] = renamed;
}

/**
 * Loads a fixture as a fresh deep copy (mutate it freely), retargeted at `target`.
 *
 *   loadEvent('pull_request.opened', { owner: gh.owner, repo: gh.repo, pullNumber: 7, apiUrl: gh.url })
 */
export function loadEvent(name: EventFixture, target: EventTarget = {}): JsonObject {
  let payload = JSON.parse(readFileSync(resolve(EVENTS_DIR, `${name}.json`), 'utf8')) as JsonObject;
  const repository = object(payload.repository);
  const pr = object(payload.pull_request);
  const web = 'https://github.com';

  // Shas first: they are plain strings anywhere (statuses_url, after, head_commit.id).
  const oldHead = String(object(pr?.head)?.sha ?? payload.after ?? '');
  const oldBase = String(object(pr?.base)?.sha ?? payload.before ?? '');
  if (target.headSha && oldHead)
    payload = mapStrings(payload, (text) => replaceAll(text, oldHead, target.headSha!)) as JsonObject;
  if (target.baseSha && oldBase)
    payload = mapStrings(payload, (text) => replaceAll(text, oldBase, target.baseSha!)) as JsonObject;

  if (repository && (target.owner || target.repo)) {
    const oldOwner = String(object(repository.owner)?.login ?? '');
    const oldName = String(repository.name ?? '');
    const oldFull = String(repository.full_name ?? `${oldOwner}/${oldName}`);
    const newOwner = target.owner ?? oldOwner;
    const newName = target.repo ?? oldName;
    const newFull = `${newOwner}/${newName}`;
    payload = mapStrings(payload, (text) =>
      text === oldFull
        ? newFull
        : replaceAll(replaceAll(text, `/${oldFull}`, `/${newFull}`), `:${oldFull}.git`, `:${newFull}.git`),
    ) as JsonObject;
    const repos = [object(payload.repository)];
    const newPr = object(payload.pull_request);
    const base = object(newPr?.base);
    const head = object(newPr?.head);
    repos.push(object(base?.repo));
    if (object(head?.repo)?.full_name === newFull) repos.push(object(head?.repo));
    for (const repo of repos) {
      if (!repo) continue;
      repo.name = newName;
      repo.full_name = newFull;
      renameOwner(repo, 'owner', oldOwner, newOwner, web);
    }
    for (const side of [base, object(head?.repo)?.full_name === newFull ? head : undefined]) {
      if (!side) continue;
      renameOwner(side, 'user', oldOwner, newOwner, web);
      if (typeof side.label === 'string' && side.label.startsWith(`${oldOwner}:`)) {
        side.label = `${newOwner}:${side.label.slice(oldOwner.length + 1)}`;
      }
    }
  }

  const prNow = object(payload.pull_request);
  if (target.pullNumber !== undefined && prNow) {
    const oldNumber = String(prNow.number);
    const numbered = new RegExp(`/(pulls|pull|issues)/${oldNumber}(?=$|[/#?])`, 'g');
    payload.pull_request = mapStrings(prNow, (text) => text.replace(numbered, `/$1/${target.pullNumber}`));
    object(payload.pull_request)!.number = target.pullNumber;
    if (payload.number !== undefined) payload.number = target.pullNumber;
  }
  const prFinal = object(payload.pull_request);
  if (target.baseRef && prFinal) object(prFinal.base)!.ref = target.baseRef;
  if (target.headRef && prFinal) {
    const head = object(prFinal.head)!;
    const owner = String(head.label ?? '').split(':')[0];
    head.ref = target.headRef;
    head.label = `${owner}:${target.headRef}`;
  }
  if (target.inputs && 'inputs' in payload) payload.inputs = { ...target.inputs };

  // URLs last, so the replacements above still saw github.com's.
  if (target.apiUrl) {
    const api = target.apiUrl.replace(/\/+$/, '');
    payload = mapStrings(payload, (text) =>
      text.startsWith('https://api.github.com') ? api + text.slice(22) : text,
    ) as JsonObject;
  }
  if (target.serverUrl) {
    const server = target.serverUrl.replace(/\/+$/, '');
    payload = mapStrings(payload, (text) =>
      text === web || text.startsWith(`${web}/`) ? server + text.slice(web.length) : text,
    ) as JsonObject;
  }
  return payload;
}
