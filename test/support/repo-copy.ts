/**
 * Copies of a prepared git fixture: a bare remote and a clone of it, copied as files. A test file
 * that needs the same starting registry in many tests seeds it once and gives each test its own
 * copy, which costs a folder copy instead of the dozens of git processes of seeding it again.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A bare remote and a working clone whose `origin` is that remote. */
export interface RemoteAndClone {
  remote: string;
  work: string;
}

/**
 * Copies `source` to `<parent>/<name>.git` and `<parent>/<name>`, and points the copied clone's
 * remotes at the copied remote (its .git/config names the remote by absolute path), so that
 * nothing a test does to its copy reaches the fixture or another test's copy.
 */
export function copyRemoteAndClone(source: RemoteAndClone, parent: string, name: string): RemoteAndClone {
  const remote = join(parent, `${name}.git`);
  cpSync(source.remote, remote, { recursive: true });
  return { remote, work: copyClone(source, remote, parent, name) };
}

/**
 * Copies the fixture's clone to `<parent>/<name>` with its remotes pointing at `remote` (a copy of
 * the fixture's remote): a second clone of a copied remote, as `git clone` would make it.
 */
export function copyClone(source: RemoteAndClone, remote: string, parent: string, name: string): string {
  const work = join(parent, name);
  cpSync(source.work, work, { recursive: true });
  const config = join(work, '.git', 'config');
  const text = readFileSync(config, 'utf8');
  if (!text.includes(source.remote)) throw new Error(`${config} does not name the fixture's remote ${source.remote}`);
  writeFileSync(config, text.split(source.remote).join(remote));
  return work;
}

/** Copies a repository with no remote (`createRepo` without one) to `<parent>/<name>`. */
export function copyRepo(source: string, parent: string, name: string): string {
  const work = join(parent, name);
  cpSync(source, work, { recursive: true });
  return work;
}
