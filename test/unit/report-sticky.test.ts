import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GITHUB_ACTIONS_LOGIN,
  adoptBotLogin,
  carriesMarker,
  compareStamps,
  composeStickyBody,
  isPermissionDenied,
  parseStamp,
  stickyMarker,
  stripMarkers,
} from '../../src/adapters/github/comments.js';
import { outboxPath, safeFileName, writeOutboxMessage } from '../../src/adapters/outbox.js';
import { pullRequestFromEvent } from '../../src/adapters/github/event.js';
import { forkTokenIsReadOnly } from '../../src/adapters/github/gate-comment.js';
import { sanitizeArtifactReport, trustedPullRequestNumber } from '../../src/core/report/gate-artifact.js';
import { ConfigurationError } from '../../src/core/errors.js';

describe('sticky comment markers and stamps', () => {
  it('encodes workflow and key so they cannot end the HTML comment', () => {
    expect(stickyMarker('evaluate-gate', 'PR evaluate', 'default')).toBe(
      '<!-- mlops:evaluate-gate workflow=PR%20evaluate key=default -->',
    );
    expect(stickyMarker('evaluate-gate', 'x --> <b>', 'k')).not.toMatch(/-->.*-->/);
  });

  it('round-trips the stamp and orders by run id, attempt, then time', () => {
    const stamp = { runId: '1200', runAttempt: '2', time: '2024-05-01T10:00:00.000Z' };
    const body = composeStickyBody('<!-- m -->', stamp, 'report');
    expect(body).toBe('<!-- m -->\n<!-- mlops:stamp run=1200 attempt=2 time=2024-05-01T10:00:00.000Z -->\nreport');
    expect(parseStamp(body)).toEqual(stamp);
    expect(parseStamp('no stamp')).toBeUndefined();
    const later = (patch: Partial<typeof stamp>) => compareStamps({ ...stamp, ...patch }, stamp);
    expect(later({ runId: '1300', time: '2000-01-01T00:00:00.000Z' })).toBeGreaterThan(0);
    expect(later({ runId: '999' })).toBeLessThan(0);
    // Run ids are compared as numbers, not text.
    expect(compareStamps({ ...stamp, runId: '10000' }, { ...stamp, runId: '9999' })).toBeGreaterThan(0);
    expect(later({ runAttempt: '3' })).toBeGreaterThan(0);
    expect(later({ time: '2024-05-01T10:00:00.001Z' })).toBeGreaterThan(0);
    expect(later({})).toBe(0);
    expect(compareStamps({ time: 't' }, { runId: '1', time: 't' })).toBeLessThan(0);
  });

  it('strips every mlops marker from foreign text', () => {
    expect(stripMarkers('<!-- mlops:evaluate-gate workflow=a key=b -->\nhi <!--mlops:stamp run=1 -->there')).toBe(
      'hi there',
    );
    expect(stripMarkers('<!-- a normal comment -->')).toBe('<!-- a normal comment -->');
    // Removing the inner marker must not assemble a new one from the pieces around it.
    const nested = '<!-<!-- mlops:x -->- mlops:evaluate-gate workflow=ci key=default -->\nreport';
    expect(stripMarkers(nested)).not.toContain('mlops:');
  });

  it('takes a comment as sticky only when its body starts with the marker', () => {
    const marker = stickyMarker('evaluate-gate', 'ci', 'default');
    expect(carriesMarker(`${marker}\n<!-- mlops:stamp run=1 attempt=1 time=t -->\nreport`, marker)).toBe(true);
    expect(carriesMarker(`> ${marker}\n> quoted by a bot`, marker)).toBe(false);
    expect(carriesMarker(`text\n${marker}\n`, marker)).toBe(false);
    expect(carriesMarker(`${marker.replace('key=default', 'key=default2')}\n`, marker)).toBe(false);
    expect(carriesMarker(undefined, marker)).toBe(false);
  });

  it('adopts a custom app’s bot login only from Bot accounts', () => {
    const comment = (id: number, login: string, type: string) => ({
      id,
      html_url: '',
      body: 'm',
      user: { login, type },
    });
    expect(adoptBotLogin([comment(1, 'mallory', 'User'), comment(2, 'my-app[bot]', 'Bot')], GITHUB_ACTIONS_LOGIN)).toBe(
      'my-app[bot]',
    );
    expect(adoptBotLogin([comment(1, 'mallory', 'User')], GITHUB_ACTIONS_LOGIN)).toBe(GITHUB_ACTIONS_LOGIN);
    expect(
      adoptBotLogin([comment(1, 'other[bot]', 'Bot'), comment(2, 'github-actions[bot]', 'Bot')], GITHUB_ACTIONS_LOGIN),
    ).toBe(GITHUB_ACTIONS_LOGIN);
  });

  it('tells a read-only token from a rate limit', () => {
    expect(isPermissionDenied({ status: 403, message: 'Resource not accessible by integration' })).toBe(true);
    expect(isPermissionDenied({ status: 403, message: 'API rate limit exceeded for installation' })).toBe(false);
    expect(isPermissionDenied({ status: 404, message: 'Not Found' })).toBe(false);
  });
});

describe('pull request from the event', () => {
  const payload = {
    number: 7,
    pull_request: {
      number: 7,
      base: { sha: 'b'.repeat(40), repo: { full_name: 'o/r' } },
      head: { sha: 'h'.repeat(40), repo: { full_name: 'fork/r' } },
    },
  };

  it('reads pull_request and pull_request_target payloads only', () => {
    expect(pullRequestFromEvent({ eventName: 'pull_request', payload: payload })).toEqual({
      number: 7,
      baseSha: 'b'.repeat(40),
      headSha: 'h'.repeat(40),
      baseRepository: 'o/r',
      headRepository: 'fork/r',
    });
    expect(pullRequestFromEvent({ eventName: 'pull_request_target', payload: payload })?.number).toBe(7);
    expect(pullRequestFromEvent({ eventName: 'push', payload: payload })).toBeUndefined();
    expect(
      pullRequestFromEvent({
        eventName: 'pull_request',
        payload: { pull_request: { number: '7' as unknown as number } },
      }),
    ).toBeUndefined();
  });

  it('expects a read-only token only on a pull_request from a fork', () => {
    const fork = pullRequestFromEvent({ eventName: 'pull_request', payload: payload })!;
    expect(forkTokenIsReadOnly('pull_request', fork)).toBe(true);
    // A deleted fork leaves no head repository: still a fork.
    expect(forkTokenIsReadOnly('pull_request', { number: 7, baseRepository: 'o/r' })).toBe(true);
    expect(forkTokenIsReadOnly('pull_request', { ...fork, headRepository: 'O/R' })).toBe(false);
    // pull_request_target runs with the base repository's token, forks included.
    expect(forkTokenIsReadOnly('pull_request_target', fork)).toBe(false);
  });
});

describe('comment-from-artifact input checks', () => {
  it('trusts only a positive integer number', () => {
    expect(trustedPullRequestNumber('{"number": 12, "headSha": "x"}', 'pr.json')).toBe(12);
    for (const bad of ['{"number": "12"}', '{"number": 0}', '{"number": 1.5}', '{}', '[12]']) {
      expect(() => trustedPullRequestNumber(bad, 'pr.json')).toThrow(ConfigurationError);
    }
    expect(() => trustedPullRequestNumber('{"number": -3}', 'pr.json')).toThrow(
      '"number" must be a positive whole number, got -3.',
    );
    expect(() => trustedPullRequestNumber('nope', 'pr.json')).toThrow(/^not valid JSON/);
  });

  it('caps the report and removes markers', () => {
    const long = '<!-- mlops:evaluate-gate workflow=x key=y -->\n' + 'line of text\n'.repeat(10_000);
    const safe = sanitizeArtifactReport(long);
    expect(safe.length).toBeLessThan(65_536 - 1000);
    expect(safe).not.toContain('mlops:evaluate-gate');
    expect(safe.endsWith('…(report truncated to fit GitHub’s comment limit)\n')).toBe(true);
    // One enormous line (no line break to cut at) is capped too.
    const oneLine = sanitizeArtifactReport('x'.repeat(100_000));
    expect(oneLine.length).toBeLessThan(65_536 - 1000);
    expect(oneLine.startsWith('x'.repeat(1000))).toBe(true);
  });
});

describe('outbox', () => {
  it('names files by kind, source, key and number, and replaces them atomically', async () => {
    expect(safeFileName('Nightly Drift / prod!')).toBe('nightly-drift-prod');
    expect(safeFileName('***')).toBe('default');
    const dir = mkdtempSync(join(tmpdir(), 'mlops-outbox-'));
    try {
      expect(outboxPath(dir, { kind: 'comment', source: 'evaluate-gate', key: 'default', number: 3 })).toBe(
        join(dir, '.mlops', 'outbox', 'comment-evaluate-gate-default-3.md'),
      );
      const printed: string[] = [];
      const message = { kind: 'issue' as const, source: 'drift-check', key: 'prod', title: 'Drift', body: 'first' };
      const path = await writeOutboxMessage(dir, message, { stdout: (t) => printed.push(t) });
      await writeOutboxMessage(dir, { ...message, body: 'second' }, { print: false });
      expect(readFileSync(path, 'utf8')).toBe('# Drift\n\nsecond\n');
      expect(printed.join('')).toContain('# Drift\n\nfirst\n');
      expect(readdirSync(join(dir, '.mlops', 'outbox'))).toEqual(['issue-drift-check-prod.md']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
