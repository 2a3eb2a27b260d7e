/**
 * scripts/release.mjs's pure parts: the build it runs (which must exist in this repository), the
 * version order that decides whether the major tag moves, and the push line it prints.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_SCRIPT, compareVersions, newerReleaseTag, pushCommandLine } from '../../scripts/release.mjs';
import { repoRoot } from '../support/runner.js';

describe('release', () => {
  it("runs this repository's own build: scripts/build.mjs, what package.json's bundle script runs", () => {
    // release.mjs once ran `npm run build`, a script that package.json no longer has.
    expect(BUILD_SCRIPT).toBe('scripts/build.mjs');
    expect(existsSync(join(repoRoot, BUILD_SCRIPT))).toBe(true);
    const scripts = (
      JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(Object.values(scripts)).toContain(`node ${BUILD_SCRIPT}`);
  });

  it('orders versions by number, not text', () => {
    expect(compareVersions('1.10.0', '1.9.3')).toBeGreaterThan(0);
    expect(compareVersions('1.0.2', '1.1.0')).toBeLessThan(0);
    expect(compareVersions('2.0.0', '2.0.0')).toBe(0);
  });

  it('finds the newer release of the same major version that keeps vX where it is; pre-releases never count', () => {
    const tags = ['v1.0.0', 'v1.0.1', 'v1.1.0', 'v1.2.0-rc.1', 'v2.0.0', 'v1', 'v1.x'];
    expect(newerReleaseTag(tags, '1.0.2')).toBe('v1.1.0');
    expect(newerReleaseTag(tags, '1.1.1')).toBeUndefined();
    expect(newerReleaseTag(['v0.10.0', 'v0.9.0'], '0.9.1')).toBe('v0.10.0');
    expect(newerReleaseTag([''], '0.1.0')).toBeUndefined();
  });

  it('prints an atomic push with full ref names, and the major tag only when it moved', () => {
    expect(pushCommandLine('origin', 'main', 'v1.2.0', 'v1')).toBe(
      'git push --atomic origin refs/heads/main refs/tags/v1.2.0 && git push -f origin refs/tags/v1',
    );
    expect(pushCommandLine('up', 'maint-1.0', 'v1.0.2')).toBe(
      'git push --atomic up refs/heads/maint-1.0 refs/tags/v1.0.2',
    );
  });
});
