/**
 * The subset of GitHub's issue search syntax the double understands: qualifiers `repo:`, `is:`,
 * `type:`, `state:`, `label:` (and `-label:`), `author:`, `in:`, `no:label`, plus free-text terms,
 * all ANDed; quoted values (`label:"needs triage"`, `"exact phrase"`) keep their spaces.
 */
import type { IssueRecord, RepoState } from './state.js';

export interface IssueQuery {
  repos: string[];
  kind?: 'issue' | 'pr';
  state?: 'open' | 'closed';
  /** One entry per `label:` qualifier, all of which must hold; `label:a,b` holds for either. */
  labels: string[][];
  excludedLabels: string[];
  noLabel: boolean;
  author?: string;
  in: Set<'title' | 'body' | 'comments'>;
  terms: string[];
  /** Qualifiers the double does not implement: reported so a test never silently over-matches. */
  unsupported: string[];
}

/** Splits a query on spaces outside double quotes. */
function tokenize(query: string): string[] {
  const tokens: string[] = [];
  const pattern = /(-?[a-zA-Z_-]+:)?(?:"([^"]*)"|(\S+))/g;
  for (const match of query.matchAll(pattern)) {
    const qualifier = match[1] ?? '';
    const value = match[2] ?? match[3] ?? '';
    tokens.push(qualifier + (match[2] !== undefined ? `\u0000${value}` : value));
  }
  return tokens;
}

export function parseIssueQuery(query: string): IssueQuery {
  const parsed: IssueQuery = {
    repos: [],
    labels: [],
    excludedLabels: [],
    noLabel: false,
    in: new Set(),
    terms: [],
    unsupported: [],
  };
  for (const token of tokenize(query)) {
    const colon = token.indexOf(':');
    const quoted = token.includes('\u0000');
    if (colon <= 0 || (quoted && token.indexOf('\u0000') < colon)) {
      parsed.terms.push(token.replace('\u0000', '').toLowerCase());
      continue;
    }
    const key = token.slice(0, colon).toLowerCase();
    const value = token.slice(colon + 1).replace('\u0000', '');
    switch (key) {
      case 'repo':
        parsed.repos.push(value.toLowerCase());
        break;
      case 'is':
      case 'type':
        if (value === 'issue') parsed.kind = 'issue';
        else if (value === 'pr' || value === 'pull-request') parsed.kind = 'pr';
        else if (value === 'open' || value === 'closed') parsed.state = value;
        else parsed.unsupported.push(token);
        break;
      case 'state':
        if (value === 'open' || value === 'closed') parsed.state = value;
        else parsed.unsupported.push(token);
        break;
      case 'label':
        parsed.labels.push(value.split(',').map((label) => label.toLowerCase()));
        break;
      case '-label':
        parsed.excludedLabels.push(value.toLowerCase());
        break;
      case 'no':
        if (value === 'label') parsed.noLabel = true;
        else parsed.unsupported.push(token);
        break;
      case 'author':
        parsed.author = value.toLowerCase();
        break;
      case 'in':
        for (const field of value.split(',')) {
          if (field === 'title' || field === 'body' || field === 'comments') parsed.in.add(field);
          else parsed.unsupported.push(token);
        }
        break;
      default:
        parsed.unsupported.push(token);
    }
  }
  return parsed;
}

/** Whether an issue of `repo` matches the query. */
export function matchesQuery(query: IssueQuery, issue: IssueRecord, repo: RepoState): boolean {
  if (query.repos.length > 0 && !query.repos.includes(repo.fullName.toLowerCase())) return false;
  if (query.kind === 'issue' && issue.pullRequest) return false;
  if (query.kind === 'pr' && !issue.pullRequest) return false;
  if (query.state && issue.state !== query.state) return false;
  const labels = issue.labels.map((label) => label.toLowerCase());
  if (!query.labels.every((anyOf) => anyOf.some((label) => labels.includes(label)))) return false;
  if (query.excludedLabels.some((label) => labels.includes(label))) return false;
  if (query.noLabel && labels.length > 0) return false;
  if (query.author && issue.user.login.toLowerCase() !== query.author) return false;
  if (query.terms.length === 0) return true;
  const fields = query.in.size > 0 ? query.in : new Set(['title', 'body', 'comments']);
  const haystack = [
    fields.has('title') ? issue.title : '',
    fields.has('body') ? (issue.body ?? '') : '',
    ...(fields.has('comments') ? repo.commentsOf(issue.number).map((comment) => comment.body) : []),
  ]
    .join('\n')
    .toLowerCase();
  return query.terms.every((term) => haystack.includes(term));
}
