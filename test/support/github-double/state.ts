/**
 * The GitHub API double's in-memory state: plain records that tests read for assertions and write
 * to seed a scenario. The HTTP layer renders them into GitHub's response shapes (render.ts), so a
 * record holds only what GitHub stores, not the URLs derived from it.
 */
import { createHash } from 'node:crypto';

/** Who a token acts as. `Bot` is what the Actions GITHUB_TOKEN (an installation token) is. */
export interface Identity {
  login: string;
  id: number;
  type: 'User' | 'Bot';
  /** A fork pull request's token: every write answers 403 "Resource not accessible by integration". */
  readOnly: boolean;
}

export interface TokenOptions {
  login: string;
  id?: number;
  type?: 'User' | 'Bot';
  readOnly?: boolean;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface IssueRecord {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'reopened' | 'not_planned' | 'duplicate' | null;
  labels: string[];
  assignees: string[];
  user: Identity;
  closedBy: Identity | null;
  locked: boolean;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  /** Set for pull requests: every pull request is also an issue, sharing the number sequence. */
  pullRequest?: {
    headRef: string;
    headSha: string;
    baseRef: string;
    /** Base commit; by default the base branch's current sha. */
    baseSha?: string;
    /** Owner of the head repository when the pull request comes from a fork. */
    headOwner?: string;
    draft: boolean;
  };
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  user: Identity;
  createdAt: Date;
  updatedAt: Date;
}

export interface ReleaseRecord {
  id: number;
  tagName: string;
  targetCommitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  author: Identity;
  createdAt: Date;
  publishedAt: Date | null;
  updatedAt: Date;
}

export interface AssetRecord {
  id: number;
  releaseId: number;
  name: string;
  label: string | null;
  contentType: string;
  data: Buffer;
  uploader: Identity;
  downloadCount: number;
  createdAt: Date;
  updatedAt: Date;
  /** The secret part of the storage URL a download is redirected to. */
  storageKey: string;
}

export interface RefRecord {
  /** Full name: `refs/heads/main`, `refs/tags/v1`. */
  ref: string;
  sha: string;
}

export interface DeploymentStatusRecord {
  id: number;
  deploymentId: number;
  state: 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';
  description: string;
  environment: string;
  targetUrl: string;
  logUrl: string;
  environmentUrl: string;
  creator: Identity;
  createdAt: Date;
}

export interface DeploymentRecord {
  id: number;
  ref: string;
  sha: string;
  task: string;
  payload: Record<string, unknown> | string;
  environment: string;
  originalEnvironment: string;
  description: string | null;
  transientEnvironment: boolean;
  productionEnvironment: boolean;
  creator: Identity;
  createdAt: Date;
  updatedAt: Date;
}

export interface CheckRunRecord {
  id: number;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: unknown[] };
  createdBy: Identity;
}

export interface DispatchRecord {
  eventType: string;
  clientPayload: Record<string, unknown>;
  sender: Identity;
  at: Date;
}

/** GitHub's own bot, the identity of the Actions GITHUB_TOKEN. */
export const GITHUB_ACTIONS_BOT: Identity = {
  login: 'github-actions[bot]',
  id: 41898282,
  type: 'Bot',
  readOnly: false,
};

let clock = Date.UTC(2024, 0, 1, 0, 0, 0);

/**
 * A strictly increasing clock: records created in one millisecond still sort in creation order,
 * and timestamps stay realistic (whole seconds, as GitHub serialises them).
 */
function tick(): Date {
  clock = Math.max(clock + 1000, Math.floor(Date.now() / 1000) * 1000);
  return new Date(clock);
}

/** A deterministic 40-hex commit id for a ref name, for refs nobody created explicitly. */
export function fakeSha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

/** State of one repository. */
export class RepoState {
  readonly issues: IssueRecord[] = [];
  readonly comments: CommentRecord[] = [];
  readonly labels: LabelRecord[] = [];
  readonly releases: ReleaseRecord[] = [];
  readonly assets: AssetRecord[] = [];
  readonly refs: RefRecord[] = [];
  readonly deployments: DeploymentRecord[] = [];
  readonly deploymentStatuses: DeploymentStatusRecord[] = [];
  readonly checkRuns: CheckRunRecord[] = [];
  readonly dispatches: DispatchRecord[] = [];

  constructor(
    readonly owner: string,
    readonly repo: string,
    readonly id: number,
    private readonly ids: IdAllocator,
    /** Accounts by login, shared by the double's repositories. */
    readonly users: UserDirectory = new UserDirectory(),
    readonly defaultBranch = 'main',
  ) {
    this.refs.push({ ref: `refs/heads/${defaultBranch}`, sha: fakeSha(`${owner}/${repo}@${defaultBranch}`) });
  }

  get fullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  /** The next id for a record kind; ids are global across repositories, like GitHub's. */
  nextId(): number {
    return this.ids.next();
  }

  /** Current time for a new record. */
  now(): Date {
    return tick();
  }

  issue(number: number): IssueRecord | undefined {
    return this.issues.find((issue) => issue.number === number);
  }

  /** Seeds an issue as if `author` had opened it. */
  addIssue(
    fields: { title: string; body?: string | null; labels?: string[]; state?: 'open' | 'closed'; assignees?: string[] },
    author: Identity | string = GITHUB_ACTIONS_BOT,
  ): IssueRecord {
    const now = tick();
    const user = typeof author === 'string' ? this.users.get(author) : author;
    for (const label of fields.labels ?? []) this.ensureLabel(label);
    const issue: IssueRecord = {
      number: this.issues.length + 1,
      id: this.nextId(),
      title: fields.title,
      body: fields.body ?? null,
      state: fields.state ?? 'open',
      stateReason: fields.state === 'closed' ? 'completed' : null,
      labels: [...new Set(fields.labels ?? [])],
      assignees: fields.assignees ?? [],
      user,
      closedBy: fields.state === 'closed' ? user : null,
      locked: false,
      createdAt: now,
      updatedAt: now,
      closedAt: fields.state === 'closed' ? now : null,
    };
    this.issues.push(issue);
    return issue;
  }

  /**
   * Seeds an open pull request (an issue with pull-request data), e.g. the one an event refers to.
   * `headOwner` other than the repository owner makes it a pull request from a fork.
   */
  addPullRequest(
    fields: {
      title?: string;
      body?: string;
      headRef?: string;
      headSha?: string;
      baseRef?: string;
      baseSha?: string;
      headOwner?: string;
      draft?: boolean;
    } = {},
    author: Identity | string = fields.headOwner ?? 'octocat',
  ): IssueRecord {
    const issue = this.addIssue({ title: fields.title ?? 'A pull request', body: fields.body ?? null }, author);
    issue.pullRequest = {
      headRef: fields.headRef ?? `feature-${issue.number}`,
      headSha: fields.headSha ?? fakeSha(`${this.fullName} pr-${issue.number}`),
      baseRef: fields.baseRef ?? this.defaultBranch,
      ...(fields.baseSha ? { baseSha: fields.baseSha } : {}),
      ...(fields.headOwner ? { headOwner: fields.headOwner } : {}),
      draft: fields.draft ?? false,
    };
    return issue;
  }

  /**
   * Makes sure issue (or pull request) `number` exists, creating placeholder issues up to it, so
   * a test can comment on "PR #42" of an event payload without seeding 41 others by hand.
   */
  ensureIssue(number: number, kind: 'issue' | 'pull_request' = 'pull_request'): IssueRecord {
    while (this.issues.length < number - 1) {
      this.addIssue({ title: `Placeholder issue ${this.issues.length + 1}` }, 'octocat');
    }
    if (this.issues.length < number) {
      if (kind === 'pull_request') this.addPullRequest();
      else this.addIssue({ title: `Issue ${number}` }, 'octocat');
    }
    const issue = this.issue(number);
    if (!issue) throw new Error(`github-double: issue ${number} could not be created`);
    return issue;
  }

  /** Seeds a comment on an issue or pull request (which must exist). */
  addComment(issueNumber: number, body: string, author: Identity | string = 'octocat'): CommentRecord {
    if (!this.issue(issueNumber)) throw new Error(`github-double: no issue #${issueNumber} in ${this.fullName}`);
    const now = tick();
    const comment: CommentRecord = {
      id: this.nextId(),
      issueNumber,
      body,
      user: typeof author === 'string' ? this.users.get(author) : author,
      createdAt: now,
      updatedAt: now,
    };
    this.comments.push(comment);
    return comment;
  }

  /**
   * Seeds `count` comments (bodies "comment 1".."comment N" unless `body` says otherwise), e.g. 150
   * comments by other people ahead of the one a step is looking for. Creates the issue if needed.
   */
  addComments(
    issueNumber: number,
    count: number,
    author: Identity | string = 'octocat',
    body: (index: number) => string = (index) => `comment ${index + 1}`,
  ): CommentRecord[] {
    if (!this.issue(issueNumber)) this.ensureIssue(issueNumber);
    return Array.from({ length: count }, (_, index) => this.addComment(issueNumber, body(index), author));
  }

  /** Comments of one issue, oldest first (GitHub's order for the list endpoint). */
  commentsOf(issueNumber: number): CommentRecord[] {
    return this.comments.filter((comment) => comment.issueNumber === issueNumber);
  }

  label(name: string): LabelRecord | undefined {
    const lower = name.toLowerCase();
    return this.labels.find((label) => label.name.toLowerCase() === lower);
  }

  /** Returns the label, creating it (grey, like GitHub does for labels added by name) if missing. */
  ensureLabel(name: string, color = 'ededed', description: string | null = null): LabelRecord {
    const existing = this.label(name);
    if (existing) return existing;
    const label: LabelRecord = { id: this.nextId(), name, color, description, default: false };
    this.labels.push(label);
    return label;
  }

  ref(fullRef: string): RefRecord | undefined {
    return this.refs.find((ref) => ref.ref === fullRef);
  }

  /** The sha a branch, tag or sha `commitish` stands for (an unknown branch gets a stable fake sha). */
  resolveCommitish(commitish: string): string {
    if (/^[0-9a-f]{40}$/.test(commitish)) return commitish;
    const ref = this.ref(`refs/heads/${commitish}`) ?? this.ref(`refs/tags/${commitish}`) ?? this.ref(commitish);
    return ref?.sha ?? fakeSha(`${this.fullName}@${commitish}`);
  }

  /** Seeds a release (published unless `draft`), creating its tag like GitHub does. */
  addRelease(
    fields: {
      tagName: string;
      name?: string;
      body?: string;
      draft?: boolean;
      prerelease?: boolean;
      targetCommitish?: string;
    },
    author: Identity = GITHUB_ACTIONS_BOT,
  ): ReleaseRecord {
    const now = tick();
    const target = fields.targetCommitish ?? this.defaultBranch;
    const release: ReleaseRecord = {
      id: this.nextId(),
      tagName: fields.tagName,
      targetCommitish: target,
      name: fields.name ?? null,
      body: fields.body ?? null,
      draft: fields.draft ?? false,
      prerelease: fields.prerelease ?? false,
      author,
      createdAt: now,
      publishedAt: fields.draft ? null : now,
      updatedAt: now,
    };
    if (!release.draft) this.ensureTag(release.tagName, target);
    this.releases.push(release);
    return release;
  }

  /** Creates `refs/tags/<tag>` at `commitish` unless the tag exists. */
  ensureTag(tag: string, commitish: string): RefRecord {
    const existing = this.ref(`refs/tags/${tag}`);
    if (existing) return existing;
    const ref = { ref: `refs/tags/${tag}`, sha: this.resolveCommitish(commitish) };
    this.refs.push(ref);
    return ref;
  }

  /** Seeds a release asset with the given bytes. */
  addAsset(
    releaseId: number,
    name: string,
    data: Buffer | string,
    contentType = 'application/octet-stream',
    uploader: Identity = GITHUB_ACTIONS_BOT,
  ): AssetRecord {
    if (!this.releases.some((release) => release.id === releaseId)) {
      throw new Error(`github-double: no release ${releaseId} in ${this.fullName}`);
    }
    const now = tick();
    const asset: AssetRecord = {
      id: this.nextId(),
      releaseId,
      name,
      label: null,
      contentType,
      data: typeof data === 'string' ? Buffer.from(data) : data,
      uploader,
      downloadCount: 0,
      createdAt: now,
      updatedAt: now,
      storageKey: createHash('sha256').update(`${releaseId}/${name}/${now.getTime()}/${Math.random()}`).digest('hex'),
    };
    this.assets.push(asset);
    return asset;
  }

  /** Latest status of a deployment, if any. */
  latestDeploymentStatus(deploymentId: number): DeploymentStatusRecord | undefined {
    const statuses = this.deploymentStatuses.filter((status) => status.deploymentId === deploymentId);
    return statuses[statuses.length - 1];
  }
}

/** Hands out the ids of every record kind, GitHub-style large numbers. */
export class IdAllocator {
  private value: number;
  constructor(start = 1_000_000) {
    this.value = start;
  }
  next(): number {
    this.value += 1;
    return this.value;
  }
}

/**
 * The accounts one double knows: token identities, plus anyone a test names as an author. A login
 * always maps to the same id, so seeded comments by "alice" and alice's token agree.
 */
export class UserDirectory {
  private readonly byLogin = new Map<string, Identity>();

  constructor() {
    this.remember(GITHUB_ACTIONS_BOT);
  }

  /** Registers (or replaces) an account. */
  remember(identity: Identity): Identity {
    this.byLogin.set(identity.login.toLowerCase(), { ...identity, readOnly: false });
    return identity;
  }

  /** The account for a login, made up on first use (ids derived from the login, so predictable). */
  get(login: string): Identity {
    const known = this.byLogin.get(login.toLowerCase());
    if (known) return known;
    const type = login.endsWith('[bot]') ? 'Bot' : 'User';
    const identity: Identity = {
      login,
      id: 100_000 + (parseInt(fakeSha(login).slice(0, 6), 16) % 900_000),
      type,
      readOnly: false,
    };
    this.byLogin.set(login.toLowerCase(), identity);
    return identity;
  }
}
