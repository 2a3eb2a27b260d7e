import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkGitHubUrl, repositoryFromRemoteUrl } from '../../src/adapters/github/client.js';
import { checkLocalArtifacts, STALE_STAGING_MS } from '../../src/adapters/registry/artifact-fsck.js';
import type { Logger } from '../../src/core/logger.js';
import {
  artifactRecordProblems,
  localLocationProblem,
  releaseUrlProblems,
  type RecordedArtifact,
} from '../../src/core/registry/artifact-policy.js';
import type { ArtifactInfo } from '../../src/core/registry/documents.js';

const quiet: Logger = {
  debug: () => {},
  info: () => {},
  warning: () => {},
  error: () => {},
  notice: () => {},
  group: (_title, fn) => fn(),
};

const release = (api: string, server: string, assetId = 9): ArtifactInfo => ({
  name: 'm.bin',
  kind: 'file',
  size: 3,
  location: `${api}/repos/o/r/releases/assets/${assetId}`,
  release: {
    id: 7,
    tag: 'm/v1',
    url: `${server}/o/r/releases/tag/m%2Fv1`,
    assetId,
    assetName: 'm.bin',
    assetApiUrl: `${api}/repos/o/r/releases/assets/${assetId}`,
    downloadUrl: `${server}/o/r/releases/download/m%2Fv1/m.bin`,
  },
});

describe('artifact record policy', () => {
  const github = {
    apiUrl: 'https://api.github.com',
    serverUrl: 'https://github.com',
    repository: { owner: 'o', repo: 'r' },
  };

  it('accepts records at the configured API and server, on github.com and on GHES (/api/v3)', () => {
    expect(releaseUrlProblems(release('https://api.github.com', 'https://github.com'), github)).toEqual([]);
    const ghes = {
      apiUrl: 'https://ghe.example/api/v3',
      serverUrl: 'https://ghe.example',
      repository: github.repository,
    };
    expect(releaseUrlProblems(release('https://ghe.example/api/v3', 'https://ghe.example'), ghes)).toEqual([]);
  });

  it('names a foreign host, a foreign repository and an asset id that is not the record', () => {
    expect(releaseUrlProblems(release('http://127.0.0.1:8765', 'https://github.com'), github)).toEqual([
      'artifact.release.assetApiUrl points at http://127.0.0.1:8765, not the configured API (GITHUB_API_URL / --api-url) https://api.github.com; mlops never sends a token to a stored URL',
    ]);
    expect(releaseUrlProblems(release('https://api.github.com', 'https://evil.example'), github)).toEqual([
      'artifact.release.url points at https://evil.example, not the configured server (GITHUB_SERVER_URL) https://github.com; mlops never sends a token to a stored URL',
      'artifact.release.downloadUrl points at https://evil.example, not the configured server (GITHUB_SERVER_URL) https://github.com; mlops never sends a token to a stored URL',
    ]);
    expect(
      releaseUrlProblems(release('https://api.github.com', 'https://github.com'), {
        ...github,
        repository: { owner: 'x', repo: 'y' },
      }),
    ).toEqual(['artifact.release.assetApiUrl names the repository o/r, not x/y']);
    const otherAsset = release('https://api.github.com', 'https://github.com');
    otherAsset.release!.assetId = 10;
    expect(releaseUrlProblems(otherAsset, github)).toContain(
      'artifact.release.assetApiUrl does not name asset 10 (artifact.release.assetId)',
    );
  });

  it("requires a local location to be exactly its model's and version's folder", () => {
    const local = (location: string): ArtifactInfo => ({ name: 'm.bin', kind: 'file', size: 1, location });
    expect(localLocationProblem(local('.mlops/artifacts/m/v1/m.bin'), 'm', 1)).toBeUndefined();
    expect(localLocationProblem(local('.mlops/artifacts/m/v2/m.bin'), 'm', 1)).toBe(
      'location ".mlops/artifacts/m/v2/m.bin" is not .mlops/artifacts/m/v1/m.bin; mlops reads and writes local artifacts only there',
    );
    expect(localLocationProblem({ ...local('.mlops/artifacts/m/v1/..'), name: '..' }, 'm', 1)).toBe(
      'the file name ".." is not a file name',
    );
    const record: RecordedArtifact = {
      model: 'm',
      version: 1,
      sha256: 'a'.repeat(64),
      artifact: { ...release('https://api.github.com', 'https://github.com') },
      path: 'models/m/events/000001.jsonl',
      line: 1,
    };
    record.artifact.release!.tag = 'v1.0.0';
    expect(artifactRecordProblems([record], github)).toEqual([
      {
        path: 'models/m/events/000001.jsonl',
        line: 1,
        model: 'm',
        version: 1,
        message: 'm v1: artifact.release.tag "v1.0.0" is not m/v1',
        fixable: false,
      },
    ]);
  });
});

describe('GitHub URL settings', () => {
  it('takes the repository from a remote on the configured server only', () => {
    for (const url of [
      'https://github.com/o/r.git',
      'git@github.com:o/r.git',
      'ssh://git@github.com/o/r',
      'https://x-access-token@github.com/o/r',
    ]) {
      expect(repositoryFromRemoteUrl(url, 'https://github.com'), url).toEqual({ owner: 'o', repo: 'r' });
    }
    for (const url of [
      'https://evil.example/o/r.git',
      '/tmp/remote.git',
      'git@evil.example:o/r.git',
      'https://github.com/o',
    ]) {
      expect(repositoryFromRemoteUrl(url, 'https://github.com'), url).toBeUndefined();
    }
  });

  it('refuses an API URL with credentials, a query or another scheme, naming the setting', () => {
    expect(checkGitHubUrl('https://ghe.example/api/v3/', 'GITHUB_API_URL')).toBe('https://ghe.example/api/v3');
    expect(() => checkGitHubUrl('https://u:p@api.github.com', '--api-url')).toThrow(
      '--api-url: "https://u:p@api.github.com" must not carry credentials, a query or a fragment.',
    );
    expect(() => checkGitHubUrl('file:///etc', 'GITHUB_API_URL')).toThrow('must be an http(s) URL');
    expect(() => checkGitHubUrl('api.github.com', '--api-url')).toThrow('is not a URL');
  });
});

describe('stale staging folders', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  const record = (): RecordedArtifact => ({
    model: 'm',
    version: 1,
    sha256: createHash('sha256').update('one').digest('hex'),
    artifact: { name: 'm.bin', kind: 'file', size: 3, location: '.mlops/artifacts/m/v1/m.bin' },
    path: 'models/m/events/000001.jsonl',
    line: 1,
  });
  /** A staging entry: folder with a file, and a record from `host`/`pid` made `ageMs` ago. */
  function stage(id: string, options: { host?: string; pid?: number; ageMs: number; withRecord?: boolean }) {
    const staging = join(root!, '.mlops/artifacts/m/.staging');
    mkdirSync(join(staging, id), { recursive: true });
    writeFileSync(join(staging, id, 'm.bin'), 'other');
    const made = new Date(Date.now() - options.ageMs);
    if (options.withRecord !== false) {
      writeFileSync(
        join(staging, `${id}.json`),
        JSON.stringify({
          pid: options.pid ?? 1,
          host: options.host ?? 'elsewhere',
          createdAt: made.toISOString(),
          model: 'm',
          name: 'm.bin',
          sha256: 'b'.repeat(64),
        }),
      );
    }
    utimesSync(join(staging, id), made, made);
    return join(staging, id);
  }

  it('removes what is older than the documented age or whose process is gone, and keeps what is in flight', async () => {
    root = mkdtempSync(join(tmpdir(), 'mlops-staging-'));
    mkdirSync(join(root, '.mlops/artifacts/m/v1'), { recursive: true });
    writeFileSync(join(root, '.mlops/artifacts/m/v1/m.bin'), 'one');
    const { hostname } = await import('node:os');
    const oldElsewhere = stage('a-old-elsewhere', { ageMs: STALE_STAGING_MS + 60_000 });
    const youngElsewhere = stage('b-young-elsewhere', { ageMs: 60_000 });
    const oldNoRecord = stage('c-old-no-record', { ageMs: STALE_STAGING_MS + 60_000, withRecord: false });
    const running = stage('d-running-here', { host: hostname(), pid: process.pid, ageMs: STALE_STAGING_MS * 2 });
    const gone = stage('e-gone-here', { host: hostname(), pid: 2 ** 22 + 12_345, ageMs: 1_000 });
    // A record a killed process was writing (writeFileAtomic's temporary name).
    const halfWritten = join(root, `.mlops/artifacts/m/.staging/.f-id.json.${2 ** 22 + 12_346}.0a1b2c3d.tmp`);
    writeFileSync(halfWritten, '{"pid":');

    const checked = await checkLocalArtifacts({ root, records: [record()], fix: true, log: quiet });
    expect(checked.verified).toBe(1);
    expect(checked.problems.map((p) => [p.path, p.fixed])).toEqual([
      [`.mlops/artifacts/m/.staging/.f-id.json.${2 ** 22 + 12_346}.0a1b2c3d.tmp`, true],
      ['.mlops/artifacts/m/.staging/a-old-elsewhere/', true],
      ['.mlops/artifacts/m/.staging/c-old-no-record/', true],
      ['.mlops/artifacts/m/.staging/e-gone-here/', true],
    ]);
    expect(checked.problems[3]!.message).toBe(
      `stale staging folder: process ${2 ** 22 + 12_345} that staged it is gone, and no version records it`,
    );
    expect([oldElsewhere, youngElsewhere, oldNoRecord, running, gone].map((f) => existsSync(f))).toEqual([
      false,
      true,
      false,
      true,
      false,
    ]);
    expect(existsSync(`${gone}.json`)).toBe(false);
    expect(existsSync(halfWritten)).toBe(false);
  });
});
