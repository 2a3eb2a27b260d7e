/**
 * Renders state records into the JSON shapes GitHub's REST API returns (checked against the
 * OpenAPI description on every response, so a field missing here fails loudly in tests).
 */
import { createHash } from 'node:crypto';
import type {
  AssetRecord,
  CheckRunRecord,
  CommentRecord,
  DeploymentRecord,
  DeploymentStatusRecord,
  Identity,
  IssueRecord,
  LabelRecord,
  RefRecord,
  ReleaseRecord,
  RepoState,
} from './state.js';

/** Where the double lives: the URLs GitHub would put in its payloads. */
export interface Urls {
  /** API base, e.g. http://127.0.0.1:PORT or http://127.0.0.1:PORT/api/v3. */
  api: string;
  /** Web base (GITHUB_SERVER_URL), the origin of the double. */
  server: string;
  /** Uploads base (uploads.github.com, or HOST/api/uploads on GHES). */
  uploads: string;
  /** Where release asset bytes are served from (objects.githubusercontent.com on github.com). */
  storage: string;
}

/** GitHub's global node ids look like `I_kwDOABCD`; a base64 of kind and id is close enough. */
export function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`0:${id}`).toString('base64url')}`;
}

export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isoOrNull(date: Date | null): string | null {
  return date ? iso(date) : null;
}

export function renderUser(user: Identity, urls: Urls): Record<string, unknown> {
  const api = `${urls.api}/users/${encodeURIComponent(user.login)}`;
  const appSlug = user.login.replace(/\[bot\]$/, '');
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type === 'Bot' ? 'BOT' : 'U', user.id),
    avatar_url: `https://avatars.githubusercontent.com/${user.type === 'Bot' ? 'in' : 'u'}/${user.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: user.type === 'Bot' ? `${urls.server}/apps/${appSlug}` : `${urls.server}/${user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** GET /user for a personal token: the private view of the account. */
export function renderPrivateUser(user: Identity, urls: Urls): Record<string, unknown> {
  const created = iso(new Date(Date.UTC(2015, 0, 1)));
  return {
    ...renderUser(user, urls),
    user_view_type: 'private',
    name: user.login,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    notification_email: null,
    public_repos: 1,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: created,
    updated_at: created,
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: 'free', space: 976562499, collaborators: 0, private_repos: 10000 },
  };
}

function repoApi(repo: RepoState, urls: Urls): string {
  return `${urls.api}/repos/${repo.owner}/${repo.repo}`;
}

function repoWeb(repo: RepoState, urls: Urls): string {
  return `${urls.server}/${repo.owner}/${repo.repo}`;
}

function authorAssociation(user: Identity, repo: RepoState): string {
  if (user.login === repo.owner) return 'OWNER';
  return user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR';
}

function reactions(url: string): Record<string, unknown> {
  return {
    url: `${url}/reactions`,
    total_count: 0,
    '+1': 0,
    '-1': 0,
    laugh: 0,
    hooray: 0,
    confused: 0,
    heart: 0,
    rocket: 0,
    eyes: 0,
  };
}

export function renderLabel(label: LabelRecord, repo: RepoState, urls: Urls): Record<string, unknown> {
  return {
    id: label.id,
    node_id: nodeId('LA', label.id),
    url: `${repoApi(repo, urls)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: label.default,
    description: label.description,
  };
}

export function renderIssue(issue: IssueRecord, repo: RepoState, urls: Urls): Record<string, unknown> {
  const url = `${repoApi(repo, urls)}/issues/${issue.number}`;
  const web = `${repoWeb(repo, urls)}/${issue.pullRequest ? 'pull' : 'issues'}/${issue.number}`;
  const assignees = issue.assignees.map((login) => renderUser(repo.users.get(login), urls));
  const labels = issue.labels.map((name) => repo.label(name)).filter((label): label is LabelRecord => !!label);
  const rendered: Record<string, unknown> = {
    url,
    repository_url: repoApi(repo, urls),
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: web,
    id: issue.id,
    node_id: nodeId(issue.pullRequest ? 'PR' : 'I', issue.id),
    number: issue.number,
    title: issue.title,
    user: renderUser(issue.user, urls),
    labels: labels.map((label) => renderLabel(label, repo, urls)),
    state: issue.state,
    locked: issue.locked,
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    comments: repo.commentsOf(issue.number).length,
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: isoOrNull(issue.closedAt),
    author_association: authorAssociation(issue.user, repo),
    type: null,
    active_lock_reason: null,
    body: issue.body,
    closed_by: issue.closedBy ? renderUser(issue.closedBy, urls) : null,
    reactions: reactions(url),
    timeline_url: `${url}/timeline`,
    performed_via_github_app: null,
    state_reason: issue.stateReason,
  };
  if (issue.pullRequest) {
    rendered.draft = issue.pullRequest.draft;
    rendered.pull_request = {
      url: `${repoApi(repo, urls)}/pulls/${issue.number}`,
      html_url: web,
      diff_url: `${web}.diff`,
      patch_url: `${web}.patch`,
      merged_at: null,
    };
  }
  return rendered;
}

export function renderComment(comment: CommentRecord, repo: RepoState, urls: Urls): Record<string, unknown> {
  const issue = repo.issue(comment.issueNumber);
  const url = `${repoApi(repo, urls)}/issues/comments/${comment.id}`;
  const kind = issue?.pullRequest ? 'pull' : 'issues';
  return {
    url,
    html_url: `${repoWeb(repo, urls)}/${kind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${repoApi(repo, urls)}/issues/${comment.issueNumber}`,
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    user: renderUser(comment.user, urls),
    created_at: iso(comment.createdAt),
    updated_at: iso(comment.updatedAt),
    author_association: authorAssociation(comment.user, repo),
    body: comment.body,
    reactions: reactions(url),
    performed_via_github_app: null,
  };
}

export function renderAsset(asset: AssetRecord, repo: RepoState, urls: Urls): Record<string, unknown> {
  const release = repo.releases.find((candidate) => candidate.id === asset.releaseId);
  const tag = release?.draft ? `untagged-${release.id}` : (release?.tagName ?? 'untagged');
  return {
    url: `${repoApi(repo, urls)}/releases/assets/${asset.id}`,
    id: asset.id,
    node_id: nodeId('RA', asset.id),
    name: asset.name,
    label: asset.label,
    uploader: renderUser(asset.uploader, urls),
    content_type: asset.contentType,
    state: 'uploaded',
    size: asset.data.length,
    digest: `sha256:${createHash('sha256').update(asset.data).digest('hex')}`,
    download_count: asset.downloadCount,
    created_at: iso(asset.createdAt),
    updated_at: iso(asset.updatedAt),
    browser_download_url: `${repoWeb(repo, urls)}/releases/download/${encodeURIComponent(tag)}/${encodeURIComponent(asset.name)}`,
  };
}

export function renderRelease(release: ReleaseRecord, repo: RepoState, urls: Urls): Record<string, unknown> {
  const url = `${repoApi(repo, urls)}/releases/${release.id}`;
  const webTag = release.draft ? `untagged-${release.id}` : release.tagName;
  return {
    url,
    assets_url: `${url}/assets`,
    upload_url: `${urls.uploads}/repos/${repo.owner}/${repo.repo}/releases/${release.id}/assets{?name,label}`,
    html_url: `${repoWeb(repo, urls)}/releases/tag/${encodeURIComponent(webTag)}`,
    id: release.id,
    author: renderUser(release.author, urls),
    node_id: nodeId('RE', release.id),
    tag_name: release.tagName,
    target_commitish: release.targetCommitish,
    name: release.name,
    draft: release.draft,
    immutable: false,
    prerelease: release.prerelease,
    created_at: iso(release.createdAt),
    updated_at: iso(release.updatedAt),
    published_at: isoOrNull(release.publishedAt),
    assets: repo.assets
      .filter((asset) => asset.releaseId === release.id)
      .map((asset) => renderAsset(asset, repo, urls)),
    tarball_url: `${repoApi(repo, urls)}/tarball/${encodeURIComponent(release.tagName)}`,
    zipball_url: `${repoApi(repo, urls)}/zipball/${encodeURIComponent(release.tagName)}`,
    body: release.body,
  };
}

export function renderRef(ref: RefRecord, repo: RepoState, urls: Urls): Record<string, unknown> {
  return {
    ref: ref.ref,
    node_id: nodeId('REF', parseInt(ref.sha.slice(0, 8), 16)),
    url: `${repoApi(repo, urls)}/git/${ref.ref}`,
    object: { sha: ref.sha, type: 'commit', url: `${repoApi(repo, urls)}/git/commits/${ref.sha}` },
  };
}

export function renderDeployment(deployment: DeploymentRecord, repo: RepoState, urls: Urls): Record<string, unknown> {
  const url = `${repoApi(repo, urls)}/deployments/${deployment.id}`;
  return {
    url,
    id: deployment.id,
    node_id: nodeId('DE', deployment.id),
    sha: deployment.sha,
    ref: deployment.ref,
    task: deployment.task,
    payload: deployment.payload,
    original_environment: deployment.originalEnvironment,
    environment: deployment.environment,
    description: deployment.description,
    creator: renderUser(deployment.creator, urls),
    created_at: iso(deployment.createdAt),
    updated_at: iso(deployment.updatedAt),
    statuses_url: `${url}/statuses`,
    repository_url: repoApi(repo, urls),
    transient_environment: deployment.transientEnvironment,
    production_environment: deployment.productionEnvironment,
    performed_via_github_app: null,
  };
}

export function renderDeploymentStatus(
  status: DeploymentStatusRecord,
  repo: RepoState,
  urls: Urls,
): Record<string, unknown> {
  const deploymentUrl = `${repoApi(repo, urls)}/deployments/${status.deploymentId}`;
  return {
    url: `${deploymentUrl}/statuses/${status.id}`,
    id: status.id,
    node_id: nodeId('DES', status.id),
    state: status.state,
    creator: renderUser(status.creator, urls),
    description: status.description,
    environment: status.environment,
    target_url: status.targetUrl,
    created_at: iso(status.createdAt),
    updated_at: iso(status.createdAt),
    deployment_url: deploymentUrl,
    repository_url: repoApi(repo, urls),
    environment_url: status.environmentUrl,
    log_url: status.logUrl,
    performed_via_github_app: null,
  };
}

/** The GitHub Actions app, the app behind check runs made with the Actions token. */
function renderActionsApp(urls: Urls): Record<string, unknown> {
  const at = iso(new Date(Date.UTC(2018, 6, 30, 9, 30, 17)));
  return {
    id: 15368,
    slug: 'github-actions',
    node_id: nodeId('MDM', 15368),
    owner: renderUser({ login: 'github', id: 9919, type: 'User', readOnly: false }, urls),
    name: 'GitHub Actions',
    description: 'Automate your workflow from idea to production',
    external_url: 'https://help.github.com/en/actions',
    html_url: `${urls.server}/apps/github-actions`,
    created_at: at,
    updated_at: at,
    permissions: { checks: 'write', contents: 'write', deployments: 'write', issues: 'write', metadata: 'read' },
    events: ['check_run', 'deployment', 'issue_comment', 'issues', 'pull_request', 'push', 'release'],
  };
}

export function renderCheckRun(run: CheckRunRecord, repo: RepoState, urls: Urls): Record<string, unknown> {
  const url = `${repoApi(repo, urls)}/check-runs/${run.id}`;
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId('CR', run.id),
    head_sha: run.headSha,
    external_id: run.externalId ?? '',
    url,
    html_url: `${repoWeb(repo, urls)}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${repoWeb(repo, urls)}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: isoOrNull(run.startedAt),
    completed_at: isoOrNull(run.completedAt),
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.output.annotations.length,
      annotations_url: `${url}/annotations`,
    },
    check_suite: { id: run.id + 1 },
    app: renderActionsApp(urls),
    pull_requests: [],
  };
}

/** A repository as GitHub renders it inside other objects (`repository`), or alone (`full-repository`). */
export function renderRepository(
  repo: RepoState,
  urls: Urls,
  options: { full?: boolean; owner?: string; fork?: boolean } = {},
): Record<string, unknown> {
  const owner = options.owner ?? repo.owner;
  const fullName = `${owner}/${repo.repo}`;
  const api = `${urls.api}/repos/${fullName}`;
  const web = `${urls.server}/${fullName}`;
  const host = new URL(urls.server).host;
  const at = iso(new Date(Date.UTC(2020, 0, 1)));
  const openIssues = repo.issues.filter((issue) => issue.state === 'open').length;
  const rendered: Record<string, unknown> = {
    id: options.fork ? repo.id + 1 : repo.id,
    node_id: nodeId('R', options.fork ? repo.id + 1 : repo.id),
    name: repo.repo,
    full_name: fullName,
    owner: renderUser(repo.users.get(owner), urls),
    private: false,
    html_url: web,
    description: null,
    fork: options.fork ?? false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${host}/${fullName}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${host}:${fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${web}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: web,
    homepage: null,
    language: 'Python',
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 108,
    default_branch: repo.defaultBranch,
    open_issues_count: openIssues,
    open_issues: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: 'public',
    pushed_at: at,
    created_at: at,
    updated_at: at,
    license: null,
    allow_forking: true,
    web_commit_signoff_required: false,
  };
  if (options.full) {
    rendered.network_count = 0;
    rendered.subscribers_count = 0;
    rendered.permissions = { admin: false, maintain: false, push: true, triage: true, pull: true };
  }
  return rendered;
}

/** A pull request (GET /repos/{owner}/{repo}/pulls/{pull_number}). */
export function renderPullRequest(issue: IssueRecord, repo: RepoState, urls: Urls): Record<string, unknown> {
  const pr = issue.pullRequest;
  if (!pr) throw new Error(`github-double: #${issue.number} is not a pull request`);
  const api = `${urls.api}/repos/${repo.owner}/${repo.repo}`;
  const url = `${api}/pulls/${issue.number}`;
  const web = `${urls.server}/${repo.owner}/${repo.repo}/pull/${issue.number}`;
  const headOwner = pr.headOwner ?? repo.owner;
  const base = {
    label: `${repo.owner}:${pr.baseRef}`,
    ref: pr.baseRef,
    sha: pr.baseSha ?? repo.resolveCommitish(pr.baseRef),
    user: renderUser(repo.users.get(repo.owner), urls),
    repo: renderRepository(repo, urls),
  };
  const head = {
    label: `${headOwner}:${pr.headRef}`,
    ref: pr.headRef,
    sha: pr.headSha,
    user: renderUser(repo.users.get(headOwner), urls),
    repo: renderRepository(repo, urls, headOwner === repo.owner ? {} : { owner: headOwner, fork: true }),
  };
  const issueRendered = renderIssue(issue, repo, urls);
  const link = (href: string) => ({ href });
  return {
    url,
    id: issue.id,
    node_id: nodeId('PR', issue.id),
    html_url: web,
    diff_url: `${web}.diff`,
    patch_url: `${web}.patch`,
    issue_url: `${api}/issues/${issue.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${issue.number}/comments`,
    statuses_url: `${api}/statuses/${pr.headSha}`,
    number: issue.number,
    state: issue.state,
    locked: issue.locked,
    title: issue.title,
    user: issueRendered.user,
    body: issue.body,
    labels: issueRendered.labels,
    milestone: null,
    active_lock_reason: null,
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: isoOrNull(issue.closedAt),
    merged_at: null,
    merge_commit_sha: null,
    assignee: issueRendered.assignee,
    assignees: issueRendered.assignees,
    requested_reviewers: [],
    requested_teams: [],
    head,
    base,
    _links: {
      self: link(url),
      html: link(web),
      issue: link(`${api}/issues/${issue.number}`),
      comments: link(`${api}/issues/${issue.number}/comments`),
      review_comments: link(`${url}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${url}/commits`),
      statuses: link(`${api}/statuses/${pr.headSha}`),
    },
    author_association: issueRendered.author_association,
    auto_merge: null,
    draft: pr.draft,
    merged: false,
    mergeable: true,
    rebaseable: true,
    mergeable_state: 'clean',
    merged_by: null,
    comments: issueRendered.comments,
    review_comments: 0,
    maintainer_can_modify: headOwner !== repo.owner,
    commits: 1,
    additions: 1,
    deletions: 0,
    changed_files: 1,
  };
}
