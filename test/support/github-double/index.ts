/**
 * A GitHub REST API double for tests: a real HTTP server on 127.0.0.1 with in-memory state
 * (issues, comments, labels, search, releases and assets, refs, deployments, check runs,
 * repository_dispatch), GitHub's headers, pagination and errors, fault injection, and every
 * request and response checked against GitHub's OpenAPI description. See docs/testing.md.
 *
 *   const gh = await startGitHubDouble();
 *   // GITHUB_API_URL=gh.url, GITHUB_REPOSITORY=`${gh.owner}/${gh.repo}`, token DEFAULT_TOKEN
 *   ...
 *   await gh.close(); // rejects if the double produced a response its description forbids
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { Faults, type ActiveFault, type FaultRule } from './faults.js';
import {
  describeErrors,
  documentsStatus,
  matchRoute,
  validateParameters,
  validateRequestBody,
  validateResponse,
  type Operation,
  type ValidationProblem,
} from './openapi.js';
import type { Urls } from './render.js';
import { handlers, HttpError, resolveStorage, storageUrl, type HandlerContext, type RateBudget } from './routes.js';
import {
  GITHUB_ACTIONS_BOT,
  IdAllocator,
  RepoState,
  UserDirectory,
  type Identity,
  type TokenOptions,
} from './state.js';

export type { FaultRule, ActiveFault } from './faults.js';
export type { ValidationProblem } from './openapi.js';
export { GITHUB_ACTIONS_BOT, RepoState, UserDirectory } from './state.js';
export type {
  Identity,
  TokenOptions,
  IssueRecord,
  CommentRecord,
  LabelRecord,
  ReleaseRecord,
  AssetRecord,
  RefRecord,
  DeploymentRecord,
  DeploymentStatusRecord,
  CheckRunRecord,
  DispatchRecord,
} from './state.js';
export { MAX_BODY_LENGTH, githubAssetName } from './routes.js';

/** The Actions GITHUB_TOKEN of the default setup: acts as github-actions[bot] with write access. */
export const DEFAULT_TOKEN = 'ghs_doubleDefaultActionsToken0000000000';
/** The GITHUB_TOKEN of a pull request from a fork: github-actions[bot], read-only. */
export const READ_ONLY_TOKEN = 'ghs_doubleForkPullRequestReadOnly000000';

export interface GitHubDoubleOptions {
  /** Owner of the default repository (default `octo-org`). */
  owner?: string;
  /** Name of the default repository (default `octo-repo`). */
  repo?: string;
  /** Extra tokens and who they act as; DEFAULT_TOKEN and READ_ONLY_TOKEN always exist. */
  tokens?: Record<string, TokenOptions>;
  /** Serve under a path prefix, as GitHub Enterprise Server does: `/api/v3` (uploads then go to `/api/uploads`). */
  pathPrefix?: string;
  /** Check requests and responses against the OpenAPI description (default true). */
  validate?: boolean;
  /** Seed of the generator behind probability faults (default 1). */
  seed?: number;
  /** Primary rate limit per token per hour (default 5000; the search limit is 30). */
  rateLimit?: number;
}

export interface LoggedRequest {
  method: string;
  /** Path after any GHES prefix, without the query. */
  path: string;
  query: string;
  status: number;
  /** Which face of GitHub answered: the API, the uploads host, asset storage, or the web host. */
  host: 'api' | 'uploads' | 'storage' | 'web';
  operationId?: string;
  /** Login of the token's identity, if the request was authenticated. */
  login?: string;
  requestId: string;
  /** Parsed JSON request body (uploads: the byte count). */
  body?: unknown;
  /** Set when an injected fault answered. */
  fault?: boolean;
}

export interface GitHubDouble {
  /** The base URL to use as GITHUB_API_URL (includes the GHES prefix when there is one). */
  url: string;
  /** The web base to use as GITHUB_SERVER_URL. */
  serverUrl: string;
  /** Where release `upload_url`s point (uploads.github.com's stand-in). */
  uploadsUrl: string;
  owner: string;
  repo: string;
  /** The default repository's state, for seeding and assertions. */
  state: RepoState;
  /** Another repository's state (created on first use). */
  repository(owner: string, repo: string): RepoState;
  /** Every request in order, with the status it got. */
  requests: LoggedRequest[];
  faults: {
    inject(rule: FaultRule): ActiveFault;
    clear(): void;
    readonly rules: readonly ActiveFault[];
  };
  /** OpenAPI violations seen: requests the description forbids, and (a double bug) responses. */
  validationErrors: ValidationProblem[];
  /** Registers a token after start. */
  addToken(token: string, options: TokenOptions): Identity;
  /** Stops the servers; rejects if the double ever produced a response that violates the description. */
  close(): Promise<void>;
}

const API_VERSION = '2022-11-28';
const SECONDARY_DOCS =
  'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
const PRIMARY_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const DOCS_ROOT = 'https://docs.github.com/rest';

/** GitHub's x-github-request-id: five hex groups. */
function requestId(): string {
  const hex = randomBytes(16).toString('hex').toUpperCase();
  return `${hex.slice(0, 4)}:${hex.slice(4, 8)}:${hex.slice(8, 15)}:${hex.slice(15, 22)}:${hex.slice(22, 30)}`;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** The fine-grained permission a write needs, as GitHub reports in x-accepted-github-permissions. */
function permissionOf(operationId: string): string {
  if (operationId.startsWith('issues/')) return 'issues=write; pull_requests=write';
  if (operationId.startsWith('checks/')) return 'checks=write';
  if (operationId.includes('deployment')) return 'deployments=write';
  return 'contents=write';
}

/** Builds GitHub's `Link` header: prev, next, last, first, in GitHub's order. */
export function linkHeader(base: string, query: URLSearchParams, page: number, lastPage: number): string | undefined {
  const link = (target: number, rel: string): string => {
    const params = new URLSearchParams(query);
    params.set('page', String(target));
    return `<${base}?${params.toString()}>; rel="${rel}"`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(link(Math.min(page - 1, lastPage), 'prev'));
  if (page < lastPage) parts.push(link(page + 1, 'next'), link(lastPage, 'last'));
  if (page > 1) parts.push(link(1, 'first'));
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** Starts the double on random ports of 127.0.0.1. */
export async function startGitHubDouble(options: GitHubDoubleOptions = {}): Promise<GitHubDouble> {
  const owner = options.owner ?? 'octo-org';
  const repoName = options.repo ?? 'octo-repo';
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  if (prefix !== '' && !prefix.startsWith('/'))
    throw new Error(`github-double: pathPrefix must start with "/": ${prefix}`);
  const validate = options.validate ?? true;
  const coreLimit = options.rateLimit ?? 5000;
  const ids = new IdAllocator();
  const users = new UserDirectory();
  const repositories: RepoState[] = [];
  let nextRepoId = 700_000_000;
  const repository = (repoOwner: string, name: string): RepoState => {
    const found = repositories.find(
      (candidate) =>
        candidate.owner.toLowerCase() === repoOwner.toLowerCase() &&
        candidate.repo.toLowerCase() === name.toLowerCase(),
    );
    if (found) return found;
    const created = new RepoState(repoOwner, name, (nextRepoId += 1), ids, users);
    repositories.push(created);
    return created;
  };
  const state = repository(owner, repoName);

  const tokens = new Map<string, Identity>();
  const addToken = (token: string, tokenOptions: TokenOptions): Identity => {
    const identity: Identity = {
      login: tokenOptions.login,
      id:
        tokenOptions.id ??
        (tokenOptions.login === GITHUB_ACTIONS_BOT.login ? GITHUB_ACTIONS_BOT.id : 5_000_000 + tokens.size),
      type: tokenOptions.type ?? (tokenOptions.login.endsWith('[bot]') ? 'Bot' : 'User'),
      readOnly: tokenOptions.readOnly ?? false,
    };
    tokens.set(token, identity);
    users.remember(identity);
    return identity;
  };
  addToken(DEFAULT_TOKEN, { ...GITHUB_ACTIONS_BOT });
  addToken(READ_ONLY_TOKEN, { ...GITHUB_ACTIONS_BOT, readOnly: true });
  for (const [token, tokenOptions] of Object.entries(options.tokens ?? {})) addToken(token, tokenOptions);

  const requests: LoggedRequest[] = [];
  const validationErrors: ValidationProblem[] = [];
  const doubleBugs: string[] = [];
  const faults = new Faults(options.seed ?? 1);
  const budgets = new Map<string, RateBudget>();
  const budgetOf = (key: string, anonymous: boolean): RateBudget => {
    let budget = budgets.get(key);
    if (!budget || budget.reset * 1000 < Date.now()) {
      budget = {
        reset: Math.floor(Date.now() / 1000) + 3600,
        core: { limit: anonymous ? 60 : coreLimit, used: 0 },
        search: { limit: anonymous ? 10 : 30, used: 0 },
      };
      budgets.set(key, budget);
    }
    return budget;
  };

  const mainServer = createServer();
  const uploadsServer = prefix === '' ? createServer() : undefined;
  const mainPort = await listen(mainServer);
  const uploadsPort = uploadsServer ? await listen(uploadsServer) : undefined;
  const origin = `http://127.0.0.1:${mainPort}`;
  // github.com keeps uploads and asset storage on other hosts; GHES serves them under its own host.
  const otherOrigin = uploadsPort ? `http://127.0.0.1:${uploadsPort}` : origin;
  const urls: Urls = {
    api: `${origin}${prefix}`,
    server: origin,
    uploads: prefix === '' ? otherOrigin : `${origin}/api/uploads`,
    storage: otherOrigin,
  };

  const handle = async (
    request: IncomingMessage,
    response: ServerResponse,
    listener: 'main' | 'uploads',
  ): Promise<void> => {
    const id = requestId();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', listener === 'main' ? origin : otherOrigin);
    const rawBody = await readBody(request);
    let path = url.pathname;
    let host: LoggedRequest['host'];
    if (path.startsWith('/_storage/')) host = 'storage';
    else if (listener === 'uploads') host = 'uploads';
    else if (prefix !== '' && path.startsWith('/api/uploads/')) {
      host = 'uploads';
      path = path.slice('/api/uploads'.length);
    } else if (prefix !== '' && (path === prefix || path.startsWith(`${prefix}/`))) {
      host = 'api';
      path = path.slice(prefix.length) || '/';
    } else if (prefix !== '' || /^\/[^/]+\/[^/]+\/releases\/download\/[^/]+\/[^/]+$/.test(path)) {
      host = 'web';
    } else host = 'api';

    const entry: LoggedRequest = { method, path, query: url.search, status: 0, host, requestId: id };
    requests.push(entry);
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
    const identity = token ? tokens.get(token) : undefined;
    if (identity) entry.login = identity.login;
    const budget = budgetOf(token ?? `anonymous:${request.socket.remoteAddress}`, !token);
    const resource: 'core' | 'search' = path.startsWith('/search/') ? 'search' : 'core';

    const baseHeaders = (): Record<string, string> => {
      const headers: Record<string, string> = {
        server: 'github.com',
        date: new Date().toUTCString(),
        'x-github-request-id': id,
        'x-github-api-version-selected': API_VERSION,
        'x-github-media-type': 'github.v3; format=json',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'deny',
        'x-xss-protection': '0',
        'referrer-policy': 'origin-when-cross-origin, strict-origin-when-cross-origin',
        'access-control-allow-origin': '*',
        'access-control-expose-headers':
          'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset',
        vary: 'Accept, Authorization, Cookie, X-GitHub-OTP,Accept-Encoding, Accept, X-Requested-With',
      };
      if (prefix !== '') headers['x-github-enterprise-version'] = '3.17.0';
      if (host === 'api' || host === 'uploads') {
        const used = budget[resource];
        headers['x-ratelimit-limit'] = String(used.limit);
        headers['x-ratelimit-remaining'] = String(Math.max(0, used.limit - used.used));
        headers['x-ratelimit-reset'] = String(budget.reset);
        headers['x-ratelimit-used'] = String(used.used);
        headers['x-ratelimit-resource'] = resource;
      }
      return headers;
    };

    const send = (status: number, body: unknown, headers: Record<string, string> = {}, raw?: Buffer): void => {
      entry.status = status;
      const all = { ...baseHeaders(), ...headers };
      let payload: Buffer | undefined = raw;
      if (!raw && body !== undefined) {
        payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
        all['content-type'] ??= 'application/json; charset=utf-8';
      }
      if (method === 'GET' && status === 200 && payload) {
        all.etag = `W/"${createHash('sha256').update(payload).digest('hex').slice(0, 32)}"`;
        all['cache-control'] = 'private, max-age=60, s-maxage=60';
      }
      all['content-length'] = String(payload?.length ?? 0);
      response.writeHead(status, all);
      response.end(method === 'HEAD' ? undefined : payload);
    };
    const error = (
      status: number,
      message: string,
      extra: Record<string, unknown> = {},
      headers = {},
      docs = DOCS_ROOT,
    ): void => send(status, { message, documentation_url: docs, status: String(status), ...extra }, headers);
    const recordRequestProblem = (problem: Omit<ValidationProblem, 'kind' | 'method' | 'path'>): void => {
      validationErrors.push({ kind: 'request', method, path: `${path}${url.search}`, ...problem });
    };

    // ---- injected faults ----
    const fault = faults.take(method, path);
    // An afterHandling fault answers in place of the real answer, once the request is carried out.
    const lostAnswer = fault?.afterHandling && !fault.rateLimit ? fault : undefined;
    if (fault && !lostAnswer) {
      entry.fault = true;
      if (fault.rateLimit === 'secondary') {
        const message = `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${id}.`;
        error(fault.status ?? 403, message, {}, { 'retry-after': String(fault.retryAfter ?? 1) }, SECONDARY_DOCS);
        return;
      }
      if (fault.rateLimit === 'primary') {
        // Report an exhausted budget for this answer only; the real count carries on afterwards.
        const saved = { used: budget[resource].used, reset: budget.reset };
        budget[resource].used = budget[resource].limit;
        budget.reset = Math.floor(Date.now() / 1000) + (fault.retryAfter ?? 1);
        const who = identity?.type === 'Bot' ? `installation ID ${identity.id}` : `user ID ${identity?.id ?? 0}`;
        error(
          fault.status ?? 403,
          `API rate limit exceeded for ${who}. If you reach out to GitHub Support for help, please include the request ID ${id}.`,
          {},
          {},
          PRIMARY_DOCS,
        );
        budget.reset = saved.reset;
        budget[resource].used = saved.used;
        return;
      }
      sendFault(fault);
      return;
    }
    function sendFault(rule: ActiveFault): void {
      const status = rule.status ?? 502;
      if (rule.body !== undefined) send(status, rule.body);
      else if (status === 502 || status === 504) {
        // GitHub's load balancer answers these with an HTML page, not JSON.
        send(
          status,
          `<!DOCTYPE html><html><head><title>Unicorn! · GitHub</title></head><body>${status} No server is currently available to service your request.</body></html>`,
          {
            'content-type': 'text/html; charset=utf-8',
          },
        );
      } else error(status, status >= 500 ? 'Server Error' : status === 404 ? 'Not Found' : `Injected ${status}`);
      return;
    }

    // ---- non-API faces: asset storage and the web download URL ----
    if (host === 'storage') {
      const found = method === 'GET' ? resolveStorage(repositories, path, url.searchParams) : undefined;
      if (!found) {
        entry.status = 403;
        response.writeHead(403, { 'content-type': 'application/xml' });
        response.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired or the signature does not match</Message></Error>',
        );
        return;
      }
      found.asset.downloadCount += 1;
      entry.status = 200;
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(found.asset.data.length),
        'content-disposition': `attachment; filename=${found.asset.name}`,
        'last-modified': found.asset.updatedAt.toUTCString(),
      });
      response.end(found.asset.data);
      return;
    }
    if (host === 'web') {
      const match = /^\/([^/]+)\/([^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(path);
      const repo = match ? repositories.find((r) => r.owner === match[1] && r.repo === match[2]) : undefined;
      const release = repo?.releases.find((r) => !r.draft && r.tagName === decodeURIComponent(match?.[3] ?? ''));
      const asset = repo?.assets.find(
        (a) => a.releaseId === release?.id && a.name === decodeURIComponent(match?.[4] ?? ''),
      );
      if (method !== 'GET' || !repo || !asset) {
        entry.status = 404;
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('Not Found');
        return;
      }
      entry.status = 302;
      response.writeHead(302, { location: storageUrl(asset, repo, urls), 'content-length': '0' });
      response.end();
      return;
    }

    // ---- the API and uploads hosts ----
    // GitHub's own pagination links use /repositories/{id}/...: serve them as the repository's routes.
    const byId = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
    let routePath = path;
    if (byId) {
      const repo = repositories.find((candidate) => candidate.id === Number(byId[1]));
      if (!repo) return error(404, 'Not Found');
      routePath = `/repos/${repo.owner}/${repo.repo}${byId[2] ?? ''}`;
    }
    const match = matchRoute(method, routePath);
    if (!match || 'methodNotAllowed' in match || match.operation.uploads !== (host === 'uploads')) {
      recordRequestProblem({
        location: 'path',
        message: `No ${method} ${routePath} in GitHub's OpenAPI description.`,
        errors: [],
      });
      return error(404, 'Not Found');
    }
    const { operation } = match;
    entry.operationId = operation.operationId;

    if (token && !identity) return error(401, 'Bad credentials');
    const isWrite = method !== 'GET' && method !== 'HEAD';
    if (!identity && (isWrite || operation.operationId === 'users/get-authenticated')) {
      return error(401, 'Requires authentication', {}, {}, operation.docsUrl);
    }
    if (operation.operationId !== 'rate-limit/get') {
      if (budget[resource].used >= budget[resource].limit) {
        const who = identity?.type === 'Bot' ? `installation ID ${identity.id}` : `user ID ${identity?.id ?? 0}`;
        return error(403, `API rate limit exceeded for ${who}.`, {}, {}, PRIMARY_DOCS);
      }
      budget[resource].used += 1;
    }

    // ---- request validation against the description ----
    let params: Record<string, unknown> = match.params;
    let query: Record<string, unknown> = Object.fromEntries(url.searchParams);
    let body: unknown;
    const isJson = !operation.uploads;
    if (isJson && rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        recordRequestProblem({
          operationId: operation.operationId,
          location: 'body',
          message: 'Problems parsing JSON',
          errors: [],
        });
        return error(400, 'Problems parsing JSON', {}, {}, operation.docsUrl);
      }
    }
    entry.body = isJson ? body : rawBody.length;
    if (validate) {
      const pathCheck = validateParameters(operation, 'path', match.params);
      if (!pathCheck.ok) {
        recordRequestProblem({
          operationId: operation.operationId,
          location: 'path',
          message: describeErrors(pathCheck.errors, match.params),
          errors: pathCheck.errors,
        });
        return error(404, 'Not Found', {}, {}, operation.docsUrl);
      }
      params = pathCheck.values;
      const queryCheck = validateParameters(operation, 'query', Object.fromEntries(url.searchParams));
      if (!queryCheck.ok) {
        const message = describeErrors(queryCheck.errors, Object.fromEntries(url.searchParams));
        recordRequestProblem({
          operationId: operation.operationId,
          location: 'query',
          message,
          errors: queryCheck.errors,
        });
        return error(422, `Invalid request.\n\n${message}`, {}, {}, operation.docsUrl);
      }
      query = { ...query, ...queryCheck.values };
      if (isJson) {
        const bodyErrors = validateRequestBody(operation, body);
        if (bodyErrors.length > 0) {
          const message = describeErrors(bodyErrors, body);
          recordRequestProblem({ operationId: operation.operationId, location: 'body', message, errors: bodyErrors });
          if (!identity?.readOnly) return error(422, `Invalid request.\n\n${message}`, {}, {}, operation.docsUrl);
        }
      }
    }
    if (isWrite && identity?.readOnly) {
      return error(
        403,
        'Resource not accessible by integration',
        {},
        { 'x-accepted-github-permissions': permissionOf(operation.operationId) },
        operation.docsUrl,
      );
    }

    // ---- the operation ----
    const repoOwner = params.owner;
    const repoParam = params.repo;
    const repo =
      typeof repoOwner === 'string' && typeof repoParam === 'string'
        ? repositories.find(
            (candidate) =>
              candidate.owner.toLowerCase() === repoOwner.toLowerCase() &&
              candidate.repo.toLowerCase() === repoParam.toLowerCase(),
          )
        : undefined;
    if (typeof repoOwner === 'string' && !repo) return error(404, 'Not Found', {}, {}, operation.docsUrl);
    const extraHeaders: Record<string, string> = {};
    const ctx: HandlerContext = {
      operationId: operation.operationId,
      repo,
      params,
      query,
      body,
      rawBody,
      headers: request.headers,
      identity,
      urls,
      repositories,
      rate: budget,
      paginate: <T>(items: T[]): T[] => {
        const perPage = Math.min(100, Math.max(1, Number(query.per_page ?? 30) || 30));
        const page = Math.max(1, Number(query.page ?? 1) || 1);
        const lastPage = Math.max(1, Math.ceil(items.length / perPage));
        const base = repo
          ? `${urls.api}/repositories/${repo.id}${routePath.slice(`/repos/${repo.owner}/${repo.repo}`.length)}`
          : `${urls.api}${routePath}`;
        const link = linkHeader(base, url.searchParams, page, lastPage);
        if (link) extraHeaders.link = link;
        return items.slice((page - 1) * perPage, page * perPage);
      },
    };
    const handler = handlers[operation.operationId];
    if (!handler) throw new Error(`github-double: no handler for ${operation.operationId}`);
    let result: { status: number; body?: unknown; headers?: Record<string, string> };
    try {
      result = handler(ctx);
    } catch (thrown) {
      if (!(thrown instanceof HttpError)) throw thrown;
      result = {
        status: thrown.status,
        body: {
          message: thrown.message,
          documentation_url: operation.docsUrl,
          status: String(thrown.status),
          ...thrown.extra,
        },
        headers: thrown.headers,
      };
    }
    if (validate) checkResponse(operation, result.status, result.body);
    if (lostAnswer) {
      entry.fault = true;
      sendFault(lostAnswer);
      return;
    }
    send(result.status, result.body, { ...extraHeaders, ...result.headers });

    function checkResponse(op: Operation, status: number, responseBody: unknown): void {
      if (!documentsStatus(op, status) && status < 400) {
        reportBug(`${op.operationId} answered ${status}, which the description does not document`, []);
        return;
      }
      const errors = validateResponse(op, status, responseBody);
      if (errors && errors.length > 0)
        reportBug(`${op.operationId} ${status} response: ${describeErrors(errors, responseBody)}`, errors);
    }
    function reportBug(message: string, errors: ValidationProblem['errors']): void {
      validationErrors.push({
        kind: 'response',
        method,
        path: `${path}${url.search}`,
        operationId: operation.operationId,
        location: `response ${result.status}`,
        message,
        errors,
      });
      doubleBugs.push(message);
      console.error(`github-double BUG: ${message}`);
      // 400 is never retried by Octokit, so the test fails at once instead of after retries.
      result = {
        status: 400,
        body: { message: `github-double bug: ${message}`, documentation_url: DOCS_ROOT, status: '400' },
      };
    }
  };

  const serve = (listener: 'main' | 'uploads') => (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response, listener).catch((thrown: unknown) => {
      const message = thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown);
      doubleBugs.push(message);
      console.error(`github-double crashed: ${message}`);
      if (!response.headersSent) response.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ message: `github-double crashed: ${message}` }));
    });
  };
  mainServer.on('request', serve('main'));
  uploadsServer?.on('request', serve('uploads'));

  const closeServer = (server: Server): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  return {
    url: urls.api,
    serverUrl: urls.server,
    uploadsUrl: urls.uploads,
    owner,
    repo: repoName,
    state,
    repository,
    requests,
    faults: {
      inject: (rule) => faults.inject(rule),
      clear: () => faults.clear(),
      get rules() {
        return faults.rules;
      },
    },
    validationErrors,
    addToken,
    close: async () => {
      await Promise.all([closeServer(mainServer), ...(uploadsServer ? [closeServer(uploadsServer)] : [])]);
      if (doubleBugs.length > 0) {
        throw new Error(
          `github-double produced ${doubleBugs.length} response(s) its OpenAPI description forbids:\n${doubleBugs.join('\n')}`,
        );
      }
    },
  };
}
