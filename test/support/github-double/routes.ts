/**
 * The double's operation handlers, keyed by GitHub's operationId. Each reads and writes the
 * repository state and answers what GitHub answers, errors included (422 "Validation Failed"
 * with GitHub's error codes, 404 "Not Found").
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createHash } from 'node:crypto';
import {
  renderAsset,
  renderCheckRun,
  renderComment,
  renderDeployment,
  renderDeploymentStatus,
  renderIssue,
  renderLabel,
  renderPrivateUser,
  renderPullRequest,
  renderRepository,
  renderRef,
  renderRelease,
  type Urls,
} from './render.js';
import { matchesQuery, parseIssueQuery } from './search.js';
import type {
  AssetRecord,
  CheckRunRecord,
  DeploymentRecord,
  DeploymentStatusRecord,
  Identity,
  IssueRecord,
  ReleaseRecord,
  RepoState,
} from './state.js';

/** GitHub's maximum issue and comment body length, in characters. */
export const MAX_BODY_LENGTH = 65_536;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface HandlerContext {
  operationId: string;
  /** The repository of a `/repos/{owner}/{repo}/...` route. */
  repo: RepoState | undefined;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
  identity: Identity | undefined;
  urls: Urls;
  repositories: RepoState[];
  /** The caller's rate-limit budget (per token), as the `x-ratelimit-*` headers report it. */
  rate: RateBudget;
  /** Slices a list to the requested page and sets GitHub's `Link` header. */
  paginate<T>(items: T[]): T[];
}

export interface RateBudget {
  /** Epoch seconds when the budget resets. */
  reset: number;
  core: { limit: number; used: number };
  search: { limit: number; used: number };
}

export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (ctx: HandlerContext) => HandlerResult;

function repoOf(ctx: HandlerContext): RepoState {
  if (!ctx.repo) throw new HttpError(404, 'Not Found');
  return ctx.repo;
}

function actor(ctx: HandlerContext): Identity {
  if (!ctx.identity) throw new HttpError(401, 'Requires authentication');
  return ctx.identity;
}

function bodyObject(ctx: HandlerContext): Record<string, unknown> {
  return ctx.body && typeof ctx.body === 'object' && !Array.isArray(ctx.body)
    ? (ctx.body as Record<string, unknown>)
    : {};
}

/** GitHub's 422 with one `errors` entry. */
function validationFailed(resource: string, field: string, code: string, message?: string): HttpError {
  return new HttpError(422, 'Validation Failed', {
    errors: [{ resource, code, field, ...(message ? { message } : {}) }],
  });
}

function checkBodyLength(resource: string, body: unknown): void {
  if (typeof body === 'string' && body.length > MAX_BODY_LENGTH) {
    throw validationFailed(resource, 'body', 'custom', `body is too long (maximum is ${MAX_BODY_LENGTH} characters)`);
  }
}

function issueOf(ctx: HandlerContext): IssueRecord {
  const issue = repoOf(ctx).issue(Number(ctx.params.issue_number));
  if (!issue) throw new HttpError(404, 'Not Found');
  return issue;
}

function labelNames(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.map((entry) => (typeof entry === 'string' ? entry : String((entry as { name?: unknown }).name ?? '')));
}

/** Reads the labels of add/set-labels bodies, in all five forms GitHub accepts. */
function labelsOfBody(body: unknown): string[] {
  if (body && typeof body === 'object' && !Array.isArray(body) && 'labels' in body) {
    return labelNames((body as { labels: unknown }).labels);
  }
  return labelNames(body);
}

function setIssueLabels(repo: RepoState, issue: IssueRecord, names: string[]): void {
  issue.labels = [...new Set(names.filter((name) => name !== '').map((name) => repo.ensureLabel(name).name))];
}

function sortIssues(issues: IssueRecord[], repo: RepoState, sort: unknown, direction: unknown): IssueRecord[] {
  const key = (issue: IssueRecord): number =>
    sort === 'updated'
      ? issue.updatedAt.getTime()
      : sort === 'comments'
        ? repo.commentsOf(issue.number).length
        : issue.createdAt.getTime();
  const sign = direction === 'asc' ? 1 : -1;
  return [...issues].sort((a, b) => sign * (key(a) - key(b) || a.number - b.number));
}

function releaseOf(ctx: HandlerContext): ReleaseRecord {
  const release = repoOf(ctx).releases.find((candidate) => candidate.id === Number(ctx.params.release_id));
  if (!release) throw new HttpError(404, 'Not Found');
  return release;
}

function assetOf(ctx: HandlerContext): AssetRecord {
  const asset = repoOf(ctx).assets.find((candidate) => candidate.id === Number(ctx.params.asset_id));
  if (!asset) throw new HttpError(404, 'Not Found');
  return asset;
}

function deploymentOf(ctx: HandlerContext): DeploymentRecord {
  const deployment = repoOf(ctx).deployments.find((candidate) => candidate.id === Number(ctx.params.deployment_id));
  if (!deployment) throw new HttpError(404, 'Not Found');
  return deployment;
}

function checkRunOf(ctx: HandlerContext): CheckRunRecord {
  const run = repoOf(ctx).checkRuns.find((candidate) => candidate.id === Number(ctx.params.check_run_id));
  if (!run) throw new HttpError(404, 'Not Found');
  return run;
}

/** Release lists are newest first. */
function newestFirst<T extends { createdAt: Date; id: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
}

/**
 * GitHub renames asset files: characters outside letters, digits, `.`, `-`, `_` and `+` become
 * dots, and leading or trailing dots go.
 */
export function githubAssetName(name: string): string {
  return name.replace(/[^A-Za-z0-9._+-]/g, '.').replace(/^\.+|\.+$/g, '') || 'default.asset';
}

function applyCheckRunFields(run: CheckRunRecord, fields: Record<string, unknown>, now: Date): void {
  if (typeof fields.name === 'string') run.name = fields.name;
  if (typeof fields.details_url === 'string') run.detailsUrl = fields.details_url;
  if (typeof fields.external_id === 'string') run.externalId = fields.external_id;
  if (typeof fields.started_at === 'string') run.startedAt = new Date(fields.started_at);
  if (typeof fields.status === 'string') run.status = fields.status as CheckRunRecord['status'];
  if (typeof fields.conclusion === 'string') {
    run.conclusion = fields.conclusion;
    run.status = 'completed';
  }
  if (typeof fields.completed_at === 'string') run.completedAt = new Date(fields.completed_at);
  if (run.status === 'completed') {
    if (!run.conclusion) throw validationFailed('CheckRun', 'conclusion', 'missing_field');
    run.completedAt ??= now;
  }
  if (run.status === 'in_progress') run.startedAt ??= now;
  const output = fields.output as Record<string, unknown> | undefined;
  if (output) {
    if (typeof output.title === 'string') run.output.title = output.title;
    if (typeof output.summary === 'string') run.output.summary = output.summary;
    if (typeof output.text === 'string') run.output.text = output.text;
    if (Array.isArray(output.annotations)) run.output.annotations.push(...output.annotations);
  }
}

function rateResource(limit: number, used: number, reset: number): Record<string, number> {
  return { limit, used, remaining: Math.max(0, limit - used), reset };
}

/** Handlers by operationId (every operation of the trimmed description has one). */
export const handlers: Record<string, Handler> = {
  'users/get-authenticated': (ctx) => {
    const identity = actor(ctx);
    // An installation token (the Actions GITHUB_TOKEN) is not a user: GitHub answers 403 here.
    if (identity.type === 'Bot') throw new HttpError(403, 'Resource not accessible by integration');
    return { status: 200, body: renderPrivateUser(identity, ctx.urls) };
  },

  'rate-limit/get': (ctx) => {
    const core = rateResource(ctx.rate.core.limit, ctx.rate.core.used, ctx.rate.reset);
    const search = rateResource(ctx.rate.search.limit, ctx.rate.search.used, ctx.rate.reset);
    return {
      status: 200,
      body: { resources: { core, search, graphql: rateResource(5000, 0, ctx.rate.reset) }, rate: core },
    };
  },

  'repos/get': (ctx) => ({ status: 200, body: renderRepository(repoOf(ctx), ctx.urls, { full: true }) }),

  'pulls/get': (ctx) => {
    const repo = repoOf(ctx);
    const issue = repo.issue(Number(ctx.params.pull_number));
    if (!issue?.pullRequest) throw new HttpError(404, 'Not Found');
    return { status: 200, body: renderPullRequest(issue, repo, ctx.urls) };
  },

  // ---- issues ----
  'issues/list-for-repo': (ctx) => {
    const repo = repoOf(ctx);
    const { state = 'open', labels, creator, assignee, since, sort, direction } = ctx.query;
    const wanted =
      typeof labels === 'string' && labels !== '' ? labels.split(',').map((label) => label.toLowerCase()) : [];
    const issues = repo.issues.filter((issue) => {
      if (state !== 'all' && issue.state !== state) return false;
      const have = issue.labels.map((label) => label.toLowerCase());
      if (!wanted.every((label) => have.includes(label))) return false;
      if (typeof creator === 'string' && issue.user.login.toLowerCase() !== creator.toLowerCase()) return false;
      if (assignee === 'none' && issue.assignees.length > 0) return false;
      if (assignee === '*' && issue.assignees.length === 0) return false;
      if (typeof assignee === 'string' && !['none', '*'].includes(assignee) && !issue.assignees.includes(assignee)) {
        return false;
      }
      if (typeof since === 'string' && issue.updatedAt < new Date(since)) return false;
      return true;
    });
    const page = ctx.paginate(sortIssues(issues, repo, sort, direction));
    return { status: 200, body: page.map((issue) => renderIssue(issue, repo, ctx.urls)) };
  },

  'issues/create': (ctx) => {
    const repo = repoOf(ctx);
    const fields = bodyObject(ctx);
    checkBodyLength('Issue', fields.body);
    const title = String(fields.title ?? '');
    if (title.trim() === '') throw validationFailed('Issue', 'title', 'missing_field');
    const assignees = [
      ...(typeof fields.assignee === 'string' ? [fields.assignee] : []),
      ...(Array.isArray(fields.assignees) ? fields.assignees.map(String) : []),
    ];
    const issue = repo.addIssue(
      { title, body: typeof fields.body === 'string' ? fields.body : null, assignees: [...new Set(assignees)] },
      actor(ctx),
    );
    setIssueLabels(repo, issue, labelNames(fields.labels));
    return {
      status: 201,
      body: renderIssue(issue, repo, ctx.urls),
      headers: { location: `${ctx.urls.api}/repos/${repo.owner}/${repo.repo}/issues/${issue.number}` },
    };
  },

  'issues/get': (ctx) => ({ status: 200, body: renderIssue(issueOf(ctx), repoOf(ctx), ctx.urls) }),

  'issues/update': (ctx) => {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx);
    const fields = bodyObject(ctx);
    checkBodyLength('Issue', fields.body);
    const who = actor(ctx);
    if (fields.title !== undefined && fields.title !== null) issue.title = String(fields.title);
    if (fields.body !== undefined) issue.body = fields.body === null ? null : String(fields.body);
    if (fields.labels !== undefined) setIssueLabels(repo, issue, labelNames(fields.labels));
    if (fields.assignees !== undefined)
      issue.assignees = Array.isArray(fields.assignees) ? fields.assignees.map(String) : [];
    const now = repo.now();
    const reason = fields.state_reason as IssueRecord['stateReason'] | undefined;
    if (fields.state === 'closed' && issue.state === 'open') {
      issue.state = 'closed';
      issue.closedAt = now;
      issue.closedBy = who;
      issue.stateReason = reason && reason !== 'reopened' ? reason : 'completed';
    } else if (fields.state === 'open' && issue.state === 'closed') {
      issue.state = 'open';
      issue.closedAt = null;
      issue.closedBy = null;
      issue.stateReason = 'reopened';
    } else if (reason !== undefined && issue.state === 'closed') {
      issue.stateReason = reason;
    }
    issue.updatedAt = now;
    return { status: 200, body: renderIssue(issue, repo, ctx.urls) };
  },

  // ---- issue comments ----
  'issues/list-comments': (ctx) => {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx);
    const since = typeof ctx.query.since === 'string' ? new Date(ctx.query.since) : undefined;
    const comments = repo.commentsOf(issue.number).filter((comment) => !since || comment.updatedAt >= since);
    return { status: 200, body: ctx.paginate(comments).map((comment) => renderComment(comment, repo, ctx.urls)) };
  },

  'issues/create-comment': (ctx) => {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx);
    const fields = bodyObject(ctx);
    checkBodyLength('IssueComment', fields.body);
    if (issue.locked) throw new HttpError(403, 'Unable to create comment because issue is locked.');
    const comment = repo.addComment(issue.number, String(fields.body), actor(ctx));
    issue.updatedAt = comment.createdAt;
    const url = `${ctx.urls.api}/repos/${repo.owner}/${repo.repo}/issues/comments/${comment.id}`;
    return { status: 201, body: renderComment(comment, repo, ctx.urls), headers: { location: url } };
  },

  'issues/get-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = repo.comments.find((candidate) => candidate.id === Number(ctx.params.comment_id));
    if (!comment) throw new HttpError(404, 'Not Found');
    return { status: 200, body: renderComment(comment, repo, ctx.urls) };
  },

  'issues/update-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = repo.comments.find((candidate) => candidate.id === Number(ctx.params.comment_id));
    if (!comment) throw new HttpError(404, 'Not Found');
    const fields = bodyObject(ctx);
    checkBodyLength('IssueComment', fields.body);
    comment.body = String(fields.body);
    comment.updatedAt = repo.now();
    return { status: 200, body: renderComment(comment, repo, ctx.urls) };
  },

  'issues/delete-comment': (ctx) => {
    const repo = repoOf(ctx);
    const index = repo.comments.findIndex((candidate) => candidate.id === Number(ctx.params.comment_id));
    if (index === -1) throw new HttpError(404, 'Not Found');
    repo.comments.splice(index, 1);
    return { status: 204 };
  },

  // ---- labels ----
  'issues/list-labels-for-repo': (ctx) => {
    const repo = repoOf(ctx);
    return { status: 200, body: ctx.paginate(repo.labels).map((label) => renderLabel(label, repo, ctx.urls)) };
  },

  'issues/create-label': (ctx) => {
    const repo = repoOf(ctx);
    const fields = bodyObject(ctx);
    const name = String(fields.name);
    if (repo.label(name)) throw validationFailed('Label', 'name', 'already_exists');
    const color = typeof fields.color === 'string' ? fields.color.replace(/^#/, '') : 'ededed';
    if (!/^[0-9a-fA-F]{6}$/.test(color)) throw validationFailed('Label', 'color', 'invalid');
    const label = repo.ensureLabel(
      name,
      color.toLowerCase(),
      typeof fields.description === 'string' ? fields.description : null,
    );
    return { status: 201, body: renderLabel(label, repo, ctx.urls) };
  },

  'issues/get-label': (ctx) => {
    const repo = repoOf(ctx);
    const label = repo.label(String(ctx.params.name));
    if (!label) throw new HttpError(404, 'Not Found');
    return { status: 200, body: renderLabel(label, repo, ctx.urls) };
  },

  'issues/list-labels-on-issue': (ctx) => {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx);
    const labels = issue.labels.map((name) => repo.ensureLabel(name));
    return { status: 200, body: ctx.paginate(labels).map((label) => renderLabel(label, repo, ctx.urls)) };
  },

  'issues/add-labels': (ctx) => {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx);
    setIssueLabels(repo, issue, [...issue.labels, ...labelsOfBody(ctx.body)]);
    issue.updatedAt = repo.now();
    return { status: 200, body: issue.labels.map((name) => renderLabel(repo.ensureLabel(name), repo, ctx.urls)) };
  },

  'issues/set-labels': (ctx) => {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx);
    setIssueLabels(repo, issue, labelsOfBody(ctx.body));
    issue.updatedAt = repo.now();
    return { status: 200, body: issue.labels.map((name) => renderLabel(repo.ensureLabel(name), repo, ctx.urls)) };
  },

  'issues/remove-label': (ctx) => {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx);
    const name = String(ctx.params.name).toLowerCase();
    const index = issue.labels.findIndex((label) => label.toLowerCase() === name);
    if (index === -1) throw new HttpError(404, 'Label does not exist');
    issue.labels.splice(index, 1);
    issue.updatedAt = repo.now();
    return { status: 200, body: issue.labels.map((label) => renderLabel(repo.ensureLabel(label), repo, ctx.urls)) };
  },

  // ---- search ----
  'search/issues-and-pull-requests': (ctx) => {
    const query = parseIssueQuery(String(ctx.query.q));
    if (query.unsupported.length > 0) {
      // Loud on purpose: silently ignoring a qualifier would make a test over-match.
      throw new HttpError(422, 'Validation Failed', {
        errors: [
          {
            resource: 'Search',
            field: 'q',
            code: 'invalid',
            message: `The GitHub double does not implement the search qualifier(s) ${query.unsupported.join(', ')}.`,
          },
        ],
      });
    }
    const hits: { issue: IssueRecord; repo: RepoState }[] = [];
    for (const repo of ctx.repositories) {
      for (const issue of repo.issues) if (matchesQuery(query, issue, repo)) hits.push({ issue, repo });
    }
    const sort = ctx.query.sort;
    const sign = ctx.query.order === 'asc' ? 1 : -1;
    const key = (hit: { issue: IssueRecord; repo: RepoState }): number =>
      sort === 'updated'
        ? hit.issue.updatedAt.getTime()
        : sort === 'comments'
          ? hit.repo.commentsOf(hit.issue.number).length
          : hit.issue.createdAt.getTime();
    hits.sort((a, b) => sign * (key(a) - key(b)) || b.issue.id - a.issue.id);
    // GitHub serves at most the first 1000 results of a search.
    const reachable = hits.slice(0, 1000);
    const items = ctx.paginate(reachable).map(({ issue, repo }) => {
      const item: Record<string, unknown> = { ...renderIssue(issue, repo, ctx.urls), score: 1 };
      // The search schema types `body` as a plain string: an issue without a body leaves it out.
      if (item.body === null) delete item.body;
      return item;
    });
    return {
      status: 200,
      body: { total_count: hits.length, incomplete_results: false, search_type: 'lexical', items },
    };
  },

  // ---- releases ----
  'repos/create-release': (ctx) => {
    const repo = repoOf(ctx);
    const fields = bodyObject(ctx);
    const tagName = String(fields.tag_name);
    if (repo.releases.some((release) => release.tagName === tagName && !release.draft)) {
      throw validationFailed('Release', 'tag_name', 'already_exists');
    }
    if (tagName.trim() === '') throw validationFailed('Release', 'tag_name', 'missing_field');
    const release = repo.addRelease(
      {
        tagName,
        name: typeof fields.name === 'string' ? fields.name : undefined,
        body: typeof fields.body === 'string' ? fields.body : undefined,
        draft: fields.draft === true,
        prerelease: fields.prerelease === true,
        targetCommitish: typeof fields.target_commitish === 'string' ? fields.target_commitish : undefined,
      },
      actor(ctx),
    );
    const url = `${ctx.urls.api}/repos/${repo.owner}/${repo.repo}/releases/${release.id}`;
    return { status: 201, body: renderRelease(release, repo, ctx.urls), headers: { location: url } };
  },

  'repos/list-releases': (ctx) => {
    const repo = repoOf(ctx);
    return {
      status: 200,
      body: ctx.paginate(newestFirst(repo.releases)).map((release) => renderRelease(release, repo, ctx.urls)),
    };
  },

  'repos/get-release': (ctx) => ({ status: 200, body: renderRelease(releaseOf(ctx), repoOf(ctx), ctx.urls) }),

  'repos/get-release-by-tag': (ctx) => {
    const repo = repoOf(ctx);
    // Drafts have no tag yet: GitHub does not find them by tag.
    const release = repo.releases.find((candidate) => candidate.tagName === ctx.params.tag && !candidate.draft);
    if (!release) throw new HttpError(404, 'Not Found');
    return { status: 200, body: renderRelease(release, repo, ctx.urls) };
  },

  'repos/get-latest-release': (ctx) => {
    const repo = repoOf(ctx);
    const [latest] = newestFirst(repo.releases.filter((release) => !release.draft && !release.prerelease));
    if (!latest) throw new HttpError(404, 'Not Found');
    return { status: 200, body: renderRelease(latest, repo, ctx.urls) };
  },

  'repos/update-release': (ctx) => {
    const repo = repoOf(ctx);
    const release = releaseOf(ctx);
    const fields = bodyObject(ctx);
    if (typeof fields.tag_name === 'string' && fields.tag_name !== release.tagName) {
      if (repo.releases.some((other) => other.tagName === fields.tag_name && other.id !== release.id && !other.draft)) {
        throw validationFailed('Release', 'tag_name', 'already_exists');
      }
      release.tagName = fields.tag_name;
    }
    if (typeof fields.target_commitish === 'string') release.targetCommitish = fields.target_commitish;
    if (typeof fields.name === 'string') release.name = fields.name;
    if (typeof fields.body === 'string') release.body = fields.body;
    if (typeof fields.prerelease === 'boolean') release.prerelease = fields.prerelease;
    const now = repo.now();
    if (fields.draft === false && release.draft) {
      release.draft = false;
      release.publishedAt = now;
      repo.ensureTag(release.tagName, release.targetCommitish);
    } else if (fields.draft === true) {
      release.draft = true;
    }
    release.updatedAt = now;
    return { status: 200, body: renderRelease(release, repo, ctx.urls) };
  },

  'repos/delete-release': (ctx) => {
    const repo = repoOf(ctx);
    const release = releaseOf(ctx);
    repo.releases.splice(repo.releases.indexOf(release), 1);
    // Assets go with the release; the tag stays, as on GitHub.
    for (let index = repo.assets.length - 1; index >= 0; index -= 1) {
      if (repo.assets[index]?.releaseId === release.id) repo.assets.splice(index, 1);
    }
    return { status: 204 };
  },

  // ---- release assets ----
  'repos/upload-release-asset': (ctx) => {
    const repo = repoOf(ctx);
    const release = releaseOf(ctx);
    const name = githubAssetName(String(ctx.query.name));
    if (repo.assets.some((asset) => asset.releaseId === release.id && asset.name === name)) {
      throw validationFailed('ReleaseAsset', 'name', 'already_exists');
    }
    const contentType =
      String(ctx.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim() || 'application/octet-stream';
    const asset = repo.addAsset(release.id, name, Buffer.from(ctx.rawBody), contentType, actor(ctx));
    if (typeof ctx.query.label === 'string') asset.label = ctx.query.label;
    return { status: 201, body: renderAsset(asset, repo, ctx.urls) };
  },

  'repos/list-release-assets': (ctx) => {
    const repo = repoOf(ctx);
    const release = releaseOf(ctx);
    const assets = repo.assets.filter((asset) => asset.releaseId === release.id);
    return { status: 200, body: ctx.paginate(assets).map((asset) => renderAsset(asset, repo, ctx.urls)) };
  },

  'repos/get-release-asset': (ctx) => {
    const repo = repoOf(ctx);
    const asset = assetOf(ctx);
    if (String(ctx.headers.accept ?? '').includes('application/octet-stream')) {
      // Like GitHub: the API answers 302 to a short-lived storage URL that serves the bytes.
      return { status: 302, headers: { location: storageUrl(asset, repo, ctx.urls) } };
    }
    return { status: 200, body: renderAsset(asset, repo, ctx.urls) };
  },

  'repos/update-release-asset': (ctx) => {
    const repo = repoOf(ctx);
    const asset = assetOf(ctx);
    const fields = bodyObject(ctx);
    if (typeof fields.name === 'string') asset.name = githubAssetName(fields.name);
    if (typeof fields.label === 'string') asset.label = fields.label;
    asset.updatedAt = repo.now();
    return { status: 200, body: renderAsset(asset, repo, ctx.urls) };
  },

  'repos/delete-release-asset': (ctx) => {
    const repo = repoOf(ctx);
    const asset = assetOf(ctx);
    repo.assets.splice(repo.assets.indexOf(asset), 1);
    return { status: 204 };
  },

  // ---- git refs ----
  'git/get-ref': (ctx) => {
    const repo = repoOf(ctx);
    const ref = repo.ref(`refs/${String(ctx.params.ref)}`);
    if (!ref) throw new HttpError(404, 'Not Found');
    return { status: 200, body: renderRef(ref, repo, ctx.urls) };
  },

  'git/create-ref': (ctx) => {
    const repo = repoOf(ctx);
    const fields = bodyObject(ctx);
    const name = String(fields.ref);
    if (!/^refs\/.+\/.+/.test(name)) throw new HttpError(422, `${name} is not a valid ref name.`);
    if (repo.ref(name)) throw new HttpError(422, 'Reference already exists');
    const ref = { ref: name, sha: String(fields.sha) };
    repo.refs.push(ref);
    return { status: 201, body: renderRef(ref, repo, ctx.urls) };
  },

  'git/update-ref': (ctx) => {
    const repo = repoOf(ctx);
    const ref = repo.ref(`refs/${String(ctx.params.ref)}`);
    if (!ref) throw new HttpError(422, 'Reference does not exist');
    ref.sha = String(bodyObject(ctx).sha);
    return { status: 200, body: renderRef(ref, repo, ctx.urls) };
  },

  'git/delete-ref': (ctx) => {
    const repo = repoOf(ctx);
    const ref = repo.ref(`refs/${String(ctx.params.ref)}`);
    if (!ref) throw new HttpError(422, 'Reference does not exist');
    repo.refs.splice(repo.refs.indexOf(ref), 1);
    return { status: 204 };
  },

  // ---- deployments ----
  'repos/create-deployment': (ctx) => {
    const repo = repoOf(ctx);
    const fields = bodyObject(ctx);
    const environment = typeof fields.environment === 'string' ? fields.environment : 'production';
    const now = repo.now();
    const deployment: DeploymentRecord = {
      id: repo.nextId(),
      ref: String(fields.ref),
      sha: repo.resolveCommitish(String(fields.ref)),
      task: typeof fields.task === 'string' ? fields.task : 'deploy',
      payload: (fields.payload as DeploymentRecord['payload'] | undefined) ?? {},
      environment,
      originalEnvironment: environment,
      description: typeof fields.description === 'string' ? fields.description : '',
      transientEnvironment: fields.transient_environment === true,
      productionEnvironment:
        typeof fields.production_environment === 'boolean'
          ? fields.production_environment
          : environment === 'production',
      creator: actor(ctx),
      createdAt: now,
      updatedAt: now,
    };
    repo.deployments.push(deployment);
    return { status: 201, body: renderDeployment(deployment, repo, ctx.urls) };
  },

  'repos/list-deployments': (ctx) => {
    const repo = repoOf(ctx);
    const { sha, ref, task, environment } = ctx.query;
    const deployments = newestFirst(repo.deployments).filter(
      (deployment) =>
        (sha === undefined || deployment.sha === sha) &&
        (ref === undefined || deployment.ref === ref) &&
        (task === undefined || deployment.task === task) &&
        (environment === undefined || environment === null || deployment.environment === environment),
    );
    return {
      status: 200,
      body: ctx.paginate(deployments).map((deployment) => renderDeployment(deployment, repo, ctx.urls)),
    };
  },

  'repos/get-deployment': (ctx) => ({ status: 200, body: renderDeployment(deploymentOf(ctx), repoOf(ctx), ctx.urls) }),

  'repos/create-deployment-status': (ctx) => {
    const repo = repoOf(ctx);
    const deployment = deploymentOf(ctx);
    const fields = bodyObject(ctx);
    const now = repo.now();
    const who = actor(ctx);
    const status: DeploymentStatusRecord = {
      id: repo.nextId(),
      deploymentId: deployment.id,
      state: fields.state as DeploymentStatusRecord['state'],
      description: typeof fields.description === 'string' ? fields.description : '',
      environment: typeof fields.environment === 'string' ? fields.environment : deployment.environment,
      targetUrl: typeof fields.target_url === 'string' ? fields.target_url : '',
      logUrl:
        typeof fields.log_url === 'string'
          ? fields.log_url
          : typeof fields.target_url === 'string'
            ? fields.target_url
            : '',
      environmentUrl: typeof fields.environment_url === 'string' ? fields.environment_url : '',
      creator: who,
      createdAt: now,
    };
    if (status.environment !== deployment.environment) deployment.environment = status.environment;
    repo.deploymentStatuses.push(status);
    deployment.updatedAt = now;
    // GitHub marks earlier successful deployments to the same environment inactive (auto_inactive).
    if (status.state === 'success' && fields.auto_inactive !== false) {
      for (const other of repo.deployments) {
        if (other.id === deployment.id || other.environment !== deployment.environment || other.transientEnvironment)
          continue;
        if (repo.latestDeploymentStatus(other.id)?.state !== 'success') continue;
        repo.deploymentStatuses.push({
          ...status,
          id: repo.nextId(),
          deploymentId: other.id,
          state: 'inactive',
          description: '',
        });
      }
    }
    return { status: 201, body: renderDeploymentStatus(status, repo, ctx.urls) };
  },

  'repos/list-deployment-statuses': (ctx) => {
    const repo = repoOf(ctx);
    const deployment = deploymentOf(ctx);
    const statuses = newestFirst(repo.deploymentStatuses.filter((status) => status.deploymentId === deployment.id));
    return {
      status: 200,
      body: ctx.paginate(statuses).map((status) => renderDeploymentStatus(status, repo, ctx.urls)),
    };
  },

  // ---- check runs ----
  'checks/create': (ctx) => {
    const repo = repoOf(ctx);
    const fields = bodyObject(ctx);
    const run: CheckRunRecord = {
      id: repo.nextId(),
      name: String(fields.name),
      headSha: String(fields.head_sha),
      status: 'queued',
      conclusion: null,
      detailsUrl: null,
      externalId: null,
      startedAt: null,
      completedAt: null,
      output: { title: null, summary: null, text: null, annotations: [] },
      createdBy: actor(ctx),
    };
    applyCheckRunFields(run, fields, repo.now());
    repo.checkRuns.push(run);
    return { status: 201, body: renderCheckRun(run, repo, ctx.urls) };
  },

  'checks/update': (ctx) => {
    const repo = repoOf(ctx);
    const run = checkRunOf(ctx);
    applyCheckRunFields(run, bodyObject(ctx), repo.now());
    return { status: 200, body: renderCheckRun(run, repo, ctx.urls) };
  },

  'checks/get': (ctx) => ({ status: 200, body: renderCheckRun(checkRunOf(ctx), repoOf(ctx), ctx.urls) }),

  // ---- repository_dispatch ----
  'repos/create-dispatch-event': (ctx) => {
    const repo = repoOf(ctx);
    const fields = bodyObject(ctx);
    const payload = (fields.client_payload as Record<string, unknown> | undefined) ?? {};
    if (Object.keys(payload).length > 10) {
      throw validationFailed(
        'Repository',
        'client_payload',
        'invalid',
        'client_payload can have at most 10 top-level properties',
      );
    }
    repo.dispatches.push({
      eventType: String(fields.event_type),
      clientPayload: payload,
      sender: actor(ctx),
      at: repo.now(),
    });
    return { status: 204 };
  },
};

/** The signed storage URL a release asset download is redirected to. */
export function storageUrl(asset: AssetRecord, repo: RepoState, urls: Urls): string {
  const expires = Math.floor(Date.now() / 1000) + 300;
  const signature = createHash('sha256').update(`${asset.storageKey}:${expires}`).digest('hex');
  return `${urls.storage}/_storage/${repo.id}/${asset.id}/${encodeURIComponent(asset.name)}?expires=${expires}&signature=${signature}`;
}

/** Checks a storage URL's signature; returns the asset it serves. */
export function resolveStorage(
  repositories: RepoState[],
  path: string,
  query: URLSearchParams,
): { asset: AssetRecord; repo: RepoState } | undefined {
  const match = /^\/_storage\/(\d+)\/(\d+)\/[^/]+$/.exec(path);
  if (!match) return undefined;
  const repo = repositories.find((candidate) => candidate.id === Number(match[1]));
  const asset = repo?.assets.find((candidate) => candidate.id === Number(match[2]));
  if (!repo || !asset) return undefined;
  const expires = Number(query.get('expires'));
  const expected = createHash('sha256').update(`${asset.storageKey}:${expires}`).digest('hex');
  if (query.get('signature') !== expected || expires * 1000 < Date.now()) return undefined;
  return { asset, repo };
}
