import { describe, expect, it } from 'vitest';
import type { ArtifactInfo } from '../../src/core/registry/documents.js';
import { fsckRegistry } from '../../src/core/registry/fsck.js';
import { deprecateVersion, registerVersion, setAlias, type EventContext } from '../../src/core/registry/operations.js';
import { RegistryDocuments, type RegistryTree } from '../../src/core/registry/store.js';
import { resolveVersion } from '../../src/core/registry/view.js';

function mapTree(files: Map<string, string>): RegistryTree {
  return {
    description: 'test tree',
    read: async (path) => files.get(path),
    list: async (dir) => {
      const prefix = dir === '' ? '' : dir + '/';
      const names = new Set<string>();
      for (const path of files.keys()) if (path.startsWith(prefix)) names.add(path.slice(prefix.length).split('/')[0]!);
      return [...names].sort();
    },
  };
}

async function write<T>(files: Map<string, string>, fn: (docs: RegistryDocuments) => Promise<T>): Promise<T> {
  const docs = new RegistryDocuments(mapTree(files));
  const result = await fn(docs);
  for (const [path, text] of docs.collectWrites()) {
    if (text === null) files.delete(path);
    else files.set(path, text);
  }
  return result;
}

let clock = Date.UTC(2024, 0, 1);
let ids = 0;
const context = (): EventContext => ({
  time: new Date((clock += 1000)).toISOString(),
  actor: 't',
  newId: () => `id-${++ids}`,
});
const artifact = (version: number): ArtifactInfo => ({
  name: 'm.bin',
  kind: 'file',
  size: 3,
  location: `.mlops/artifacts/x/v${version}/m.bin`,
});

/** A registry with two models, aliases, a deprecation and idempotency keys. */
async function sample(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (let n = 1; n <= 4; n++) {
    await write(files, (docs) =>
      registerVersion(
        docs,
        {
          model: 'iris',
          sha256: String(n).repeat(64),
          artifact,
          metrics: { acc: n / 10 },
          lineage: {},
          idempotencyKey: `run/${n}/iris`,
        },
        context(),
      ),
    );
  }
  await write(files, (docs) =>
    registerVersion(
      docs,
      { model: 'churn', sha256: 'f'.repeat(64), artifact, metrics: {}, lineage: {}, alias: 'staging' },
      context(),
    ),
  );
  await write(files, (docs) => setAlias(docs, 'iris', 'production', 2, context()));
  await write(files, (docs) => deprecateVersion(docs, 'iris', 4, 'bad', context()));
  return files;
}

async function fsck(files: Map<string, string>) {
  return fsckRegistry(new RegistryDocuments(mapTree(files)));
}

/** Applies fsck's repairs, as `fsck --fix` does. */
function repair(files: Map<string, string>, repairs: Map<string, string | null>) {
  for (const [path, text] of repairs) {
    if (text === null) files.delete(path);
    else files.set(path, text);
  }
}

describe('registry fsck', () => {
  it('finds nothing wrong in a registry written by the operations', async () => {
    const report = await fsck(await sample());
    expect(report).toMatchObject({ models: 2, events: 8, versions: 5, runs: 0, problems: [] });
    expect(report.repairs.size).toBe(0);
  });

  it('detects a hand-edited model index and rebuilds it from the log', async () => {
    const files = await sample();
    const index = JSON.parse(files.get('models/iris/index.json')!);
    index.aliases.production.version = 3;
    files.set('models/iris/index.json', JSON.stringify(index, null, 2));
    const report = await fsck(files);
    expect(report.problems).toEqual([
      {
        path: 'models/iris/index.json',
        message: 'does not match the event log (aliases.production.version: stored 3, the log says 2)',
        fixable: true,
      },
    ]);
    repair(files, report.repairs);
    expect((await fsck(files)).problems).toEqual([]);
    expect(
      (await resolveVersion(new RegistryDocuments(mapTree(files)), 'iris', { alias: 'production' }))?.version,
    ).toBe(2);
  });

  it('rebuilds deleted, corrupt and stray derived files', async () => {
    const files = await sample();
    files.delete('models/iris/versions/000001.json');
    files.set('models/churn/index.json', '{ broken');
    files.set('models/iris/versions/000009.json', files.get('models/churn/versions/000001.json')!);
    const top = JSON.parse(files.get('index.json')!);
    top.models.ghost = top.models.churn;
    files.set('index.json', JSON.stringify(top));
    const report = await fsck(files);
    const byPath = Object.fromEntries(report.problems.map((p) => [p.path, p.message]));
    expect(byPath['models/iris/versions/000001.json']).toBe('missing; the event log says it should exist');
    expect(byPath['models/churn/index.json']).toMatch(/is corrupt: invalid JSON/);
    expect(byPath['models/iris/versions/000009.json']).toBe('not accounted for by any event');
    expect(byPath['index.json']).toMatch(/^does not match the event log \(models.ghost: stored/);
    expect(report.problems.every((p) => p.fixable)).toBe(true);
    repair(files, report.repairs);
    expect((await fsck(files)).problems).toEqual([]);
    expect(files.has('models/iris/versions/000009.json')).toBe(false);
  });

  it('reports problems in the event log itself as not fixable, naming the file and line', async () => {
    const files = await sample();
    const log = files.get('models/iris/events/000001.jsonl')!.split('\n');
    const third = JSON.parse(log[2]!);
    third.seq = 9;
    log[2] = JSON.stringify(third);
    files.set('models/iris/events/000001.jsonl', log.join('\n'));
    const report = await fsck(files);
    expect(report.problems).toEqual([
      {
        path: 'models/iris/events/000001.jsonl',
        line: 3,
        message: 'event has sequence number 9, expected 3 (a gap or a duplicate)',
        fixable: false,
      },
    ]);
    // A broken log is never "repaired" from a partial replay.
    expect([...report.repairs.keys()].filter((p) => p.startsWith('models/iris/'))).toEqual([]);
  });

  it('reports an event that cannot follow the one before', async () => {
    const files = await sample();
    const log = files.get('models/iris/events/000001.jsonl')!.split('\n');
    const alias = JSON.parse(log[4]!);
    expect(alias.type).toBe('alias-set');
    alias.version = 7;
    log[4] = JSON.stringify(alias);
    files.set('models/iris/events/000001.jsonl', log.join('\n'));
    const report = await fsck(files);
    expect(report.problems[0]).toMatchObject({
      path: 'models/iris/events/000001.jsonl',
      line: 5,
      message: expect.stringContaining('version 7 does not exist (latest is 4)'),
      fixable: false,
    });
  });

  it('reports duplicate event ids across models', async () => {
    const files = await sample();
    const churn = files.get('models/churn/events/000001.jsonl')!.split('\n');
    const iris = JSON.parse(files.get('models/iris/events/000001.jsonl')!.split('\n')[0]!);
    const first = JSON.parse(churn[0]!);
    first.id = iris.id;
    churn[0] = JSON.stringify(first);
    files.set('models/churn/events/000001.jsonl', churn.join('\n'));
    const report = await fsck(files);
    expect(report.problems.map((p) => p.message)).toContain(
      `event id ${iris.id} is used twice (also models/churn/events/000001.jsonl line 1)`,
    );
  });

  it('keeps the index entries of a broken model, also when it is the only model or broken from its first event', async () => {
    for (const brokenLine of [0, 2]) {
      const files = new Map<string, string>();
      for (let n = 1; n <= 3; n++) {
        await write(files, (docs) =>
          registerVersion(
            docs,
            { model: 'iris', sha256: String(n).repeat(64), artifact, metrics: {}, lineage: {}, alias: 'production' },
            context(),
          ),
        );
      }
      const log = files.get('models/iris/events/000001.jsonl')!.split('\n');
      log[brokenLine] = log[brokenLine]!.slice(0, 20);
      files.set('models/iris/events/000001.jsonl', log.join('\n'));
      const report = await fsck(files);
      expect(report.problems).toEqual([
        expect.objectContaining({ path: 'models/iris/events/000001.jsonl', line: brokenLine + 1, fixable: false }),
      ]);
      expect(report.repairs).toEqual(new Map());
    }
  });

  it('refuses to check (and so to fix) a branch that is not a registry', async () => {
    const files = new Map([['src/train.py', 'print(1)\n']]);
    await expect(fsck(files)).rejects.toThrow('has files (src) but no registry.json, so it is not an mlops registry.');
    // A models/ folder of code is not a registry either (fsck --fix would write a marker onto it).
    files.set('models/net.py', 'class Net: pass\n');
    files.set('index.json', '{"kind": "something else"}\n');
    await expect(fsck(files)).rejects.toThrow('has files (index.json, models, src) but no registry.json');
    // A registry that lost only its marker is still checked, and --fix writes a new one.
    const lost = await sample();
    lost.delete('registry.json');
    const report = await fsck(lost);
    expect(report.problems).toEqual([{ path: 'registry.json', message: 'missing (the format marker)', fixable: true }]);
  });
});

describe('fsck and drift profiles stored with versions', () => {
  it('accepts a registered profile, and reports it missing, changed, or a profile no version records', async () => {
    const files = new Map<string, string>();
    const text = '{"columns": {}}\n';
    const profileSha = (await import('node:crypto')).createHash('sha256').update(text).digest('hex');
    await write(files, (docs) =>
      registerVersion(
        docs,
        {
          model: 'skew',
          sha256: 'a'.repeat(64),
          artifact: (version) => ({ ...artifact(version), location: `.mlops/artifacts/skew/v${version}/m.bin` }),
          metrics: {},
          lineage: {},
          profile: { text, sha256: profileSha, size: text.length, name: 'profile.json' },
        },
        context(),
      ),
    );
    expect(files.get('models/skew/profiles/v1.json')).toBe(text);
    const check = async () => (await fsckRegistry(new RegistryDocuments(mapTree(files)))).problems;
    expect(await check()).toEqual([]);

    files.set('models/skew/profiles/v1.json', '{"columns": {"x": 1}}\n');
    files.set('models/skew/profiles/v7.json', '{}');
    expect(await check()).toEqual([
      {
        path: 'models/skew/profiles/v1.json',
        message: `does not have the sha256 v1 records (${profileSha}); it was changed after registration`,
        fixable: false,
      },
      { path: 'models/skew/profiles/v7.json', message: 'no version records this profile', fixable: false },
    ]);
    files.delete('models/skew/profiles/v1.json');
    expect((await check())[0]).toEqual({
      path: 'models/skew/profiles/v1.json',
      message: "v1's drift profile is missing",
      fixable: false,
    });
  });

  it('refuses a profile over the limit before writing anything', async () => {
    const files = new Map<string, string>();
    const big = 5 * 1024 * 1024 + 1;
    await expect(
      write(files, (docs) =>
        registerVersion(
          docs,
          {
            model: 'skew',
            sha256: 'a'.repeat(64),
            artifact,
            metrics: {},
            lineage: {},
            profile: { text: '{}', sha256: 'b'.repeat(64), size: big, name: 'big.json' },
          },
          context(),
        ),
      ),
    ).rejects.toThrow(`profile: big.json has ${big} bytes; the registry stores profiles of at most 5242880 bytes.`);
    expect(files.size).toBe(0);
  });
});
