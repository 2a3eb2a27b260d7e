import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import type {
  ArtifactInfo,
  ModelIndex,
  RegisteredEvent,
  RegistryIndex,
  VersionChunk,
} from '../../src/core/registry/documents.js';
import { isReleaseAlias, releaseBody } from '../../src/core/registry/release-notes.js';
import {
  deprecateVersion,
  recordDeployment,
  recordRollback,
  registerVersion,
  removeAlias,
  setAlias,
  type EventContext,
  type RegisterRequest,
} from '../../src/core/registry/operations.js';
import { RegistryCorruptError, RegistryDocuments, type RegistryTree } from '../../src/core/registry/store.js';
import { listModels, listVersions, modelHistory, resolveVersion } from '../../src/core/registry/view.js';
import {
  EVENTS_PER_CHUNK,
  VERSIONS_PER_CHUNK,
  eventChunkPath,
  versionChunkPath,
} from '../../src/core/registry/layout.js';

/** A registry tree held in a Map, standing in for a commit of the branch. */
function mapTree(files: Map<string, string> = new Map()): RegistryTree & { files: Map<string, string> } {
  return {
    files,
    description: 'test tree',
    read: async (path) => files.get(path),
    list: async (dir) => {
      const names = new Set<string>();
      const prefix = dir === '' ? '' : dir + '/';
      for (const path of files.keys()) {
        if (path.startsWith(prefix)) names.add(path.slice(prefix.length).split('/')[0]!);
      }
      return [...names].sort();
    },
  };
}

/** Runs one write against `files` and commits its changes to the map, as the git adapter would. */
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
function context(actor = 'tester'): EventContext {
  clock += 1000;
  return { time: new Date(clock).toISOString(), actor, newId: () => `id-${++ids}` };
}

const sha = (n: number) => n.toString(16).padStart(64, '0');

function request(model: string, n: number, extra: Partial<RegisterRequest> = {}): RegisterRequest {
  return {
    model,
    sha256: sha(n),
    artifact: (version): ArtifactInfo => ({
      name: 'model.pkl',
      kind: 'file',
      size: 10 + n,
      location: `.mlops/artifacts/${model}/v${version}/model.pkl`,
    }),
    metrics: { accuracy: 0.8 + n / 1000 },
    params: { depth: n },
    lineage: { commit: 'a'.repeat(40), dataSha256: sha(1000 + n) },
    ...extra,
  };
}

const read = (files: Map<string, string>) => new RegistryDocuments(mapTree(files));

describe('registry core: register', () => {
  it('allocates integer versions per model, with lineage, and derives the indexes', async () => {
    const files = new Map<string, string>();
    const first = await write(files, (docs) => registerVersion(docs, request('iris', 1), context()));
    const second = await write(files, (docs) => registerVersion(docs, request('iris', 2), context()));
    const other = await write(files, (docs) => registerVersion(docs, request('churn', 3), context()));
    expect([first.version, second.version, other.version]).toEqual([1, 2, 1]);
    expect(first.events.map((e) => [e.type, e.seq])).toEqual([['registered', 1]]);

    const v2 = await resolveVersion(read(files), 'iris', { version: 2 });
    expect(v2).toMatchObject({
      model: 'iris',
      version: 2,
      sha256: sha(2),
      size: 12,
      location: '.mlops/artifacts/iris/v2/model.pkl',
      metrics: { accuracy: 0.802 },
      params: { depth: 2 },
      commit: 'a'.repeat(40),
      dataSha256: sha(1002),
      actor: 'tester',
      aliases: [],
      deprecated: false,
    });
    const models = await listModels(read(files));
    expect(Object.keys(models)).toEqual(['churn', 'iris']);
    expect(models.iris).toMatchObject({ latestVersion: 2, seq: 2, aliases: {} });
    expect(files.has('registry.json')).toBe(true);
    expect(files.get('README.md')).toContain('mlops model registry');
  });

  it('returns the same version for a retried register with the same idempotency key', async () => {
    const files = new Map<string, string>();
    const key = '1000/1/iris';
    const first = await write(files, (docs) =>
      registerVersion(docs, request('iris', 1, { idempotencyKey: key }), context()),
    );
    const again = await write(files, (docs) =>
      registerVersion(docs, request('iris', 1, { idempotencyKey: key }), context()),
    );
    expect(first).toMatchObject({ version: 1, existing: false });
    expect(again).toMatchObject({ version: 1, existing: true, events: [] });
    const next = await write(files, (docs) =>
      registerVersion(docs, request('iris', 2, { idempotencyKey: '1000/2/iris' }), context()),
    );
    expect(next.version).toBe(2);
    expect((await modelHistory(read(files), 'iris')).length).toBe(2);
  });

  it('refuses a retried key that brings a different artifact', async () => {
    const files = new Map<string, string>();
    await write(files, (docs) => registerVersion(docs, request('iris', 1, { idempotencyKey: 'k' }), context()));
    await expect(
      write(files, (docs) => registerVersion(docs, request('iris', 2, { idempotencyKey: 'k' }), context())),
    ).rejects.toThrow(/already registered iris v1 with a different artifact/);
  });

  it('appends on a new line when a hand-edited log lost its final newline', async () => {
    const files = new Map<string, string>();
    await write(files, (docs) => registerVersion(docs, request('iris', 1), context()));
    const path = eventChunkPath('iris', 1);
    files.set(path, files.get(path)!.trimEnd());
    await write(files, (docs) => registerVersion(docs, request('iris', 2), context()));
    const history = await modelHistory(read(files), 'iris');
    expect(history.map((h) => [h.event.seq, h.line])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('sets an alias in the same commit when asked', async () => {
    const files = new Map<string, string>();
    const result = await write(files, (docs) =>
      registerVersion(docs, request('iris', 1, { alias: 'staging' }), context()),
    );
    expect(result.events.map((e) => e.type)).toEqual(['registered', 'alias-set']);
    expect((await resolveVersion(read(files), 'iris', { alias: 'staging' }))?.version).toBe(1);
  });

  it('refuses a model name that differs from a registered one only in case', async () => {
    const files = new Map<string, string>();
    await write(files, (docs) => registerVersion(docs, request('Iris', 1), context()));
    await expect(write(files, (docs) => registerVersion(docs, request('iris', 2), context()))).rejects.toThrow(
      'Model "iris" differs from the registered model "Iris" only in case; use "Iris".',
    );
  });

  it('splits the event log and the version records into chunks', async () => {
    const files = new Map<string, string>();
    const count = VERSIONS_PER_CHUNK + 5;
    for (let n = 1; n <= count; n++) await write(files, (docs) => registerVersion(docs, request('big', n), context()));
    expect(files.has(versionChunkPath('big', 1))).toBe(true);
    expect(files.has(versionChunkPath('big', VERSIONS_PER_CHUNK + 1))).toBe(true);
    expect(versionChunkPath('big', VERSIONS_PER_CHUNK + 1)).toBe('models/big/versions/000002.json');
    expect(eventChunkPath('big', EVENTS_PER_CHUNK + 1)).toBe('models/big/events/000002.jsonl');
    expect(files.get(eventChunkPath('big', 1))!.trim().split('\n')).toHaveLength(EVENTS_PER_CHUNK);
    expect(
      files
        .get(eventChunkPath('big', EVENTS_PER_CHUNK + 1))!
        .trim()
        .split('\n'),
    ).toHaveLength(5);
    const versions = await listVersions(read(files), 'big');
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    const history = await modelHistory(read(files), 'big');
    expect(history.map((h) => h.event.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(history[EVENTS_PER_CHUNK]).toMatchObject({ file: 'models/big/events/000002.jsonl', line: 1 });
  });
});

describe('registry core: aliases', () => {
  it('moves aliases with full history and reports the previous version', async () => {
    const files = new Map<string, string>();
    for (let n = 1; n <= 3; n++) await write(files, (docs) => registerVersion(docs, request('iris', n), context()));
    await write(files, (docs) => setAlias(docs, 'iris', 'production', 1, context()));
    const moved = await write(files, (docs) => setAlias(docs, 'iris', 'production', 3, context()));
    expect(moved.previous).toBe(1);
    await write(files, (docs) => setAlias(docs, 'iris', 'champion', 3, context()));
    const v3 = await resolveVersion(read(files), 'iris', { alias: 'production' });
    expect(v3).toMatchObject({ version: 3, aliases: ['champion', 'production'] });
    const history = (await modelHistory(read(files), 'iris')).map((h) => h.event);
    const aliasEvents = history.filter((e) => e.type === 'alias-set');
    expect(
      aliasEvents.map((e) => [e.type === 'alias-set' && e.alias, e.version, e.type === 'alias-set' && e.previous]),
    ).toEqual([
      ['production', 1, undefined],
      ['production', 3, 1],
      ['champion', 3, undefined],
    ]);
    expect((await listModels(read(files))).iris!.aliases).toEqual({ champion: 3, production: 3 });
  });

  it('does nothing when the alias already points at the version', async () => {
    const files = new Map<string, string>();
    await write(files, (docs) => registerVersion(docs, request('iris', 1), context()));
    await write(files, (docs) => setAlias(docs, 'iris', 'staging', 1, context()));
    const again = await write(files, (docs) => setAlias(docs, 'iris', 'staging', 1, context()));
    expect(again.events).toEqual([]);
  });

  it('removes an alias, and says which aliases exist when the one named does not', async () => {
    const files = new Map<string, string>();
    await write(files, (docs) => registerVersion(docs, request('iris', 1, { alias: 'staging' }), context()));
    await expect(write(files, (docs) => removeAlias(docs, 'iris', 'prod', context()))).rejects.toThrow(
      'Model "iris" has no alias "prod" (its aliases: staging).',
    );
    const removed = await write(files, (docs) => removeAlias(docs, 'iris', 'staging', context()));
    expect(removed.previous).toBe(1);
    expect(await resolveVersion(read(files), 'iris', { alias: 'staging' })).toBeUndefined();
  });

  it('rejects unknown models, missing versions and bad alias names with clear messages', async () => {
    const files = new Map<string, string>();
    await write(files, (docs) => registerVersion(docs, request('iris', 1), context()));
    await expect(write(files, (docs) => setAlias(docs, 'nope', 'production', 1, context()))).rejects.toThrow(
      'Model "nope" is not registered. Registered models: iris.',
    );
    await expect(write(files, (docs) => setAlias(docs, 'iris', 'production', 4, context()))).rejects.toThrow(
      'Model "iris" has no version v4 (it has v1).',
    );
    await expect(write(files, (docs) => setAlias(docs, 'iris', 'v2', 1, context()))).rejects.toThrow(
      'alias: alias "v2" is invalid: it looks like a version number.',
    );
    await expect(write(files, (docs) => setAlias(docs, 'iris', 'latest', 1, context()))).rejects.toThrow(/built in/);
  });
});

describe('registry core: deprecation', () => {
  it('deprecates a version: latest skips it, aliases may not point at it', async () => {
    const files = new Map<string, string>();
    for (let n = 1; n <= 3; n++) await write(files, (docs) => registerVersion(docs, request('iris', n), context()));
    await write(files, (docs) => deprecateVersion(docs, 'iris', 3, 'leaks test data', context()));
    const v3 = await resolveVersion(read(files), 'iris', { version: 3 });
    expect(v3).toMatchObject({ deprecated: true, deprecation: { reason: 'leaks test data' } });
    expect((await resolveVersion(read(files), 'iris', { alias: 'latest' }))?.version).toBe(2);
    await expect(write(files, (docs) => setAlias(docs, 'iris', 'production', 3, context()))).rejects.toThrow(
      'iris v3 is deprecated; an alias cannot point at a deprecated version.',
    );
    const again = await write(files, (docs) => deprecateVersion(docs, 'iris', 3, undefined, context()));
    expect(again.events).toEqual([]);
  });

  it('refuses to deprecate a version an alias points at', async () => {
    const files = new Map<string, string>();
    await write(files, (docs) => registerVersion(docs, request('iris', 1, { alias: 'production' }), context()));
    await expect(write(files, (docs) => deprecateVersion(docs, 'iris', 1, undefined, context()))).rejects.toThrow(
      'iris v1 is what "production" points at; move or remove the alias first',
    );
  });
});

describe('registry core: deployments', () => {
  it('records deployments and rollbacks in the model index', async () => {
    const files = new Map<string, string>();
    for (let n = 1; n <= 2; n++) await write(files, (docs) => registerVersion(docs, request('iris', n), context()));
    await write(files, (docs) =>
      recordDeployment(docs, 'iris', 2, { environment: 'prod', status: 'success' }, context()),
    );
    const deployed = (await modelHistory(read(files), 'iris')).at(-1)!.event;
    expect(deployed).toMatchObject({ type: 'deployed', version: 2, environment: 'prod' });
    await write(files, (docs) =>
      recordRollback(docs, 'iris', 2, 1, { environment: 'prod', reason: 'smoke test' }, context()),
    );
    const index = await read(files).modelIndex('iris');
    expect(index?.deployed).toMatchObject({ version: 1, environment: 'prod' });
  });
});

describe('registry core: reading', () => {
  it('answers undefined or [] for models, aliases and versions that do not exist', async () => {
    const files = new Map<string, string>();
    expect(await resolveVersion(read(files), 'iris', { alias: 'production' })).toBeUndefined();
    expect(await listVersions(read(files), 'iris')).toEqual([]);
    await write(files, (docs) => registerVersion(docs, request('iris', 1), context()));
    expect(await resolveVersion(read(files), 'iris', { alias: 'production' })).toBeUndefined();
    expect(await resolveVersion(read(files), 'iris', { version: 2 })).toBeUndefined();
    expect(await resolveVersion(read(files), 'iris', { version: 0 })).toBeUndefined();
  });

  it('names the file when a stored document is corrupt', async () => {
    const files = new Map<string, string>();
    await write(files, (docs) => registerVersion(docs, request('iris', 1, { alias: 'production' }), context()));
    const index = JSON.parse(files.get('models/iris/index.json')!);
    index.aliases.production.version = 'one';
    files.set('models/iris/index.json', JSON.stringify(index));
    const error = await resolveVersion(read(files), 'iris', { alias: 'production' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryCorruptError);
    expect((error as Error).message).toBe(
      'The registry document models/iris/index.json on test tree is corrupt: /aliases/production/version must be integer. ' +
        'Run `mlops registry fsck` to check the registry (and `--fix` to rebuild derived files from the event log).',
    );
    files.set('models/iris/index.json', '{ not json');
    await expect(resolveVersion(read(files), 'iris', { alias: 'production' })).rejects.toThrow(
      /models\/iris\/index.json on test tree is corrupt: invalid JSON/,
    );
    files.set('models/iris/events/000001.jsonl', files.get('models/iris/events/000001.jsonl')! + '{"id": 3}\n');
    await expect(modelHistory(read(files), 'iris')).rejects.toThrow(
      /models\/iris\/events\/000001.jsonl line 3 on test tree is corrupt: \(top level\) must have required property 'seq'/,
    );
  });

  it('validates model names on every query', async () => {
    await expect(resolveVersion(read(new Map()), '../etc', { version: 1 })).rejects.toBeInstanceOf(InputError);
  });
});

describe('registry core: writes check the derived files against the log', () => {
  /** iris v1 (production) and v2, churn v1. */
  async function sample(): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    await write(files, (docs) => registerVersion(docs, request('iris', 1, { alias: 'production' }), context()));
    await write(files, (docs) => registerVersion(docs, request('iris', 2), context()));
    await write(files, (docs) => registerVersion(docs, request('churn', 3), context()));
    return files;
  }
  /** Hand-edits a stored document, typed as far as the edit needs. */
  const edit = <T>(files: Map<string, string>, path: string, change: (value: T) => void) => {
    const value = JSON.parse(files.get(path)!) as T;
    change(value);
    files.set(path, JSON.stringify(value));
  };

  it('refuses every write when a model index is missing or counts other events than the log', async () => {
    const files = await sample();
    files.delete('models/iris/index.json');
    const before = new Map(files);
    await expect(write(files, (docs) => registerVersion(docs, request('iris', 3), context()))).rejects.toThrow(
      'does not match the event log on test tree: it is missing, but the event log has 3 events (the last in models/iris/events/000001.jsonl)',
    );
    await expect(write(files, (docs) => setAlias(docs, 'iris', 'staging', 1, context()))).rejects.toMatchObject({
      name: 'RegistryInconsistentError',
      location: { file: 'models/iris/index.json' },
    });
    expect(files).toEqual(before);

    const stale = await sample();
    edit<ModelIndex>(stale, 'models/iris/index.json', (index) => {
      index.seq = 1;
    });
    await expect(write(stale, (docs) => registerVersion(docs, request('iris', 3), context()))).rejects.toThrow(
      /it says the last event is 1 \(id-\d+\), but the log's last is 3 \(id-\d+\) in models\/iris\/events\/000001\.jsonl/,
    );
    const fewer = await sample();
    edit<ModelIndex>(fewer, 'models/iris/index.json', (index) => {
      index.latestVersion = 1;
    });
    await expect(write(fewer, (docs) => registerVersion(docs, request('iris', 3), context()))).rejects.toThrow(
      "it says the latest version is v1, but the log's newest registration is v2",
    );
  });

  it('never copies a sha256 the log does not have into a new event', async () => {
    const files = await sample();
    edit<VersionChunk>(files, 'models/iris/versions/000001.json', (chunk) => {
      chunk.versions[1]!.sha256 = '0'.repeat(64);
    });
    for (const op of [
      (docs: RegistryDocuments) => setAlias(docs, 'iris', 'staging', 2, context()),
      (docs: RegistryDocuments) => deprecateVersion(docs, 'iris', 2, undefined, context()),
      (docs: RegistryDocuments) => recordDeployment(docs, 'iris', 2, {}, context()),
      (docs: RegistryDocuments) => registerVersion(docs, request('iris', 3), context()),
    ]) {
      await expect(write(files, op)).rejects.toThrow(
        `v2 has sha256 ${'0'.repeat(64)}, but the log registered it with ${sha(2)}`,
      );
    }
    const alias = await sample();
    edit<ModelIndex>(alias, 'models/iris/index.json', (index) => {
      index.aliases.production!.version = 2;
    });
    await expect(write(alias, (docs) => removeAlias(docs, 'iris', 'production', context()))).rejects.toThrow(
      'alias "production" points at v2 by event 2, which is not the log\'s event setting it',
    );
  });

  it('refuses a write that would drop models from a lost or partial top-level index, and list reports it', async () => {
    const files = await sample();
    files.delete('index.json');
    await expect(write(files, (docs) => registerVersion(docs, request('new', 4), context()))).rejects.toThrow(
      'it is missing, but models/ holds models churn, iris',
    );
    await expect(listModels(read(files))).rejects.toThrow(
      /^does not match the event log on test tree: it is missing, but models\/ holds models churn, iris\. Run `mlops registry fsck`/,
    );
    const partial = await sample();
    edit<RegistryIndex>(partial, 'index.json', (index) => {
      delete index.models.churn;
    });
    await expect(listModels(read(partial))).rejects.toThrow(
      'it does not list model churn, which has a folder under models/',
    );
    await expect(write(partial, (docs) => setAlias(docs, 'iris', 'staging', 1, context()))).rejects.toThrow(
      'it does not list model churn',
    );
  });

  it('lets several operations build on each other in one transaction', async () => {
    const files = new Map<string, string>();
    await write(files, async (docs) => {
      await registerVersion(docs, request('fresh', 1), context());
      await setAlias(docs, 'fresh', 'staging', 1, context());
      await registerVersion(docs, request('fresh', 2), context());
      return recordDeployment(docs, 'fresh', 2, { environment: 'prod' }, context());
    });
    const history = await modelHistory(read(files), 'fresh');
    expect(history.map((h) => [h.event.seq, h.event.type])).toEqual([
      [1, 'registered'],
      [2, 'alias-set'],
      [3, 'registered'],
      [4, 'deployed'],
    ]);
  });

  it('refuses to write onto a branch that has files but is not a registry', async () => {
    const files = new Map([
      ['README.md', '# my project\n'],
      ['src/train.py', 'print(1)\n'],
    ]);
    await expect(write(files, (docs) => registerVersion(docs, request('iris', 1), context()))).rejects.toThrow(
      'registry-branch: test tree has files (README.md, src) but no registry.json, so it is not an mlops registry; refusing to write registry files onto it.',
    );
    expect([...files.keys()]).toEqual(['README.md', 'src/train.py']);
  });
});

describe('registry core: release notes', () => {
  it('puts lineage, metrics and params in the release body, and knows which aliases promote a release', async () => {
    const files = new Map<string, string>();
    const result = await write(files, (docs) =>
      registerVersion(
        docs,
        request('iris', 1, {
          description: 'first | model',
          lineage: {
            commit: 'b'.repeat(40),
            workflowRun: {
              id: '42',
              attempt: '2',
              url: 'https://github.com/o/r/actions/runs/42/attempts/2',
              workflow: 'train',
            },
            trainRunId: 'run-1',
          },
        }),
        context(),
      ),
    );
    const body = releaseBody(result.events[0] as RegisteredEvent, ['staging']);
    expect(body).toContain('Model **iris** version **v1**, registered by mlops.');
    expect(body).toContain('first | model');
    expect(body).toContain(`| sha256 | \`${sha(1)}\` |`);
    expect(body).toContain(
      '| workflow run | [train #42 (attempt 2)](https://github.com/o/r/actions/runs/42/attempts/2) |',
    );
    expect(body).toContain('| train run | `run-1` |');
    expect(body).toContain('| aliases | `staging` |');
    expect(body).toContain('| accuracy | 0.801 |');
    expect(body).toContain('| depth | 1 |');
    expect(isReleaseAlias('production')).toBe(true);
    expect(isReleaseAlias('prod')).toBe(true);
    expect(isReleaseAlias('staging')).toBe(false);
  });
});
