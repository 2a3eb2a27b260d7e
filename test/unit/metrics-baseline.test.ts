import { describe, expect, it } from 'vitest';
import {
  resolveBaseline,
  loadHistory,
  suggestName,
  likelyTypo,
  type BaselineRegistry,
  type BaselineSources,
} from '../../src/core/metrics/baseline.js';
import { ConfigurationError, EnvironmentError, InputError } from '../../src/core/errors.js';
import { memoryLogger } from '../../src/core/logger.js';
import { parseBaselineSpec, parseMetricsDocument } from '../../src/core/metrics/index.js';
import type { ModelVersionRecord, VersionSelector } from '../../src/core/registry/contract.js';

function record(
  version: number,
  metrics: Record<string, number>,
  extra: Partial<ModelVersionRecord> = {},
): ModelVersionRecord {
  return {
    model: 'churn',
    version,
    createdAt: `2024-01-0${version}T00:00:00Z`,
    sha256: String(version).repeat(64).slice(0, 64),
    metrics,
    aliases: [],
    deprecated: false,
    ...extra,
  };
}

/** An in-memory registry: versions per model, aliases per model. */
function fakeRegistry(versions: ModelVersionRecord[], aliases: Record<string, number>): BaselineRegistry {
  return {
    async models() {
      const names = [...new Set(versions.map((v) => v.model))];
      return Object.fromEntries(
        names.map((name) => [
          name,
          {
            latestVersion: Math.max(...versions.filter((v) => v.model === name).map((v) => v.version)),
            aliases: Object.keys(aliases),
          },
        ]),
      );
    },
    async resolve(model: string, selector: VersionSelector) {
      const number = 'alias' in selector ? aliases[selector.alias] : selector.version;
      return versions.find((v) => v.model === model && v.version === number);
    },
    async versions(model: string) {
      return versions.filter((v) => v.model === model);
    },
  };
}

function sources(options: {
  files?: Record<string, string>;
  git?: Record<string, Record<string, string>>;
  registry?: BaselineRegistry | { unavailable: string };
}): BaselineSources & { gitCalls: string[] } {
  const gitCalls: string[] = [];
  return {
    gitCalls,
    async readFile(path) {
      return options.files?.[path];
    },
    async gitShow(ref, path) {
      gitCalls.push(`${ref}:${path}`);
      const tree = options.git?.[ref];
      if (!tree) return { missing: 'ref', detail: 'no such commit or ref' };
      return tree[path];
    },
    async registry() {
      return options.registry ?? { unavailable: 'no registry branch' };
    },
  };
}

const log = memoryLogger();
const base = { candidateFiles: ['metrics.json'], log };
const registry = fakeRegistry(
  [
    record(1, { accuracy: 0.8 }),
    record(
      2,
      { accuracy: 0.85 },
      {
        params: { lr: 0.1, optimizer: { name: 'adam', betas: [0.9, 0.99] } },
        commit: 'c'.repeat(40),
        dataSha256: 'd'.repeat(64),
      },
    ),
  ],
  { production: 2 },
);

describe('resolveBaseline', () => {
  it('registry:<model>@<alias> reads the aliased version with lineage and params', async () => {
    const resolved = await resolveBaseline(parseBaselineSpec('registry:churn@production'), base, sources({ registry }));
    expect(resolved.metrics?.values).toEqual({ accuracy: 0.85 });
    expect(resolved.description.resolved).toBe('registry:churn@production (v2)');
    // Nested params flatten as a candidate run record's do, so the params diff lines up.
    expect(resolved.description.params).toEqual({
      lr: '0.1',
      'optimizer.name': 'adam',
      'optimizer.betas': '[0.9,0.99]',
    });
    expect(resolved.description.params).toEqual(
      parseMetricsDocument(
        JSON.stringify({ id: 'r', metrics: {}, params: { lr: 0.1, optimizer: { name: 'adam', betas: [0.9, 0.99] } } }),
        'run.json',
      ).params,
    );
    expect(resolved.description.lineage).toMatchObject({ model: 'churn', version: 2, commit: 'c'.repeat(40) });
    expect(resolved.record?.version).toBe(2);
  });

  it('registry:<model>@v<N> reads that version', async () => {
    const resolved = await resolveBaseline(parseBaselineSpec('registry:churn@v1'), base, sources({ registry }));
    expect(resolved.metrics?.values).toEqual({ accuracy: 0.8 });
    expect(resolved.description.resolved).toBe('registry:churn@v1');
  });

  it('an explicit baseline that cannot be read is an error, with a did-you-mean for names', async () => {
    const ctx = { ...base, labels: { baseline: '--baseline', model: '--model' } };
    const resolve = (text: string, src = sources({ registry })) => resolveBaseline(parseBaselineSpec(text), ctx, src);
    await expect(resolve('registry:churn@prodution')).rejects.toThrow(
      new InputError(
        '--baseline: registry:churn@prodution does not exist: model "churn" has no alias "prodution"; did you mean "production"?',
      ),
    );
    await expect(resolve('registry:chu@production')).rejects.toThrow(
      new InputError(
        '--baseline: registry:chu@production does not exist: model "chu" is not in the registry; did you mean "churn"?',
      ),
    );
    await expect(resolve('registry:zebra@production')).rejects.toThrow(
      new InputError(
        '--baseline: registry:zebra@production does not exist: model "zebra" is not in the registry; registered models: "churn".',
      ),
    );
    await expect(resolve('registry:churn@v9')).rejects.toThrow(
      new InputError(
        '--baseline: registry:churn@v9 does not exist: model "churn" has no version v9 (it has v1 to v2).',
      ),
    );
    await expect(resolve('registry:churn@production', sources({}))).rejects.toThrow(
      new EnvironmentError('--baseline: registry:churn@production cannot be read: no registry branch.'),
    );
    await expect(resolve('file:nope.json')).rejects.toThrow(
      new InputError('--baseline: file:nope.json does not exist.'),
    );
  });

  it('file:<path> reads the file; a malformed one is an error naming it', async () => {
    const files = { 'base.json': '{"accuracy": 0.7}', 'bad.json': '{"accuracy": "x"}' };
    const found = await resolveBaseline(parseBaselineSpec('file:base.json'), base, sources({ files }));
    expect(found.metrics?.values).toEqual({ accuracy: 0.7 });
    expect(found.description.resolved).toBe('file:base.json');
    await expect(resolveBaseline(parseBaselineSpec('file:bad.json'), base, sources({ files }))).rejects.toThrow(
      ConfigurationError,
    );
  });

  it('git:<ref>:<path> reads the file at the ref; a missing ref or file is an error', async () => {
    const git = { abc123: { 'eval/metrics.json': '{"auc": 0.9}' } };
    const found = await resolveBaseline(parseBaselineSpec('git:abc123:eval/metrics.json'), base, sources({ git }));
    expect(found.metrics?.values).toEqual({ auc: 0.9 });
    expect(found.description.resolved).toBe('git:abc123:eval/metrics.json');
    await expect(resolveBaseline(parseBaselineSpec('git:abc123:other.json'), base, sources({ git }))).rejects.toThrow(
      new InputError('baseline: git:abc123:other.json does not exist: other.json is not in abc123.'),
    );
    await expect(resolveBaseline(parseBaselineSpec('git:zzz:m.json'), base, sources({ git }))).rejects.toThrow(
      new InputError(
        'baseline: git:zzz:m.json cannot be read: git ref "zzz" is not available (no such commit or ref).',
      ),
    );
  });

  it('none is none', async () => {
    const resolved = await resolveBaseline(parseBaselineSpec('none'), base, sources({ registry }));
    expect(resolved.metrics).toBeUndefined();
    expect(resolved.description).toEqual({ requested: 'none', note: 'baseline: none was asked for' });
  });

  describe('auto', () => {
    const sha = 'f'.repeat(40);
    const git = { [sha]: { 'metrics.json': '{"accuracy": 0.75}' } };

    it('prefers registry:<model>@production when the model is given and the alias exists', async () => {
      const src = sources({ registry, git });
      const resolved = await resolveBaseline({ kind: 'auto' }, { ...base, model: 'churn', baseSha: sha }, src);
      expect(resolved.description.resolved).toBe('registry:churn@production (v2)');
      expect(resolved.description.note).toBe('auto: the production model');
      expect(src.gitCalls).toEqual([]);
    });

    it('falls back to the pull request base only for a first model, and says so in `fallback`', async () => {
      const resolved = await resolveBaseline(
        { kind: 'auto' },
        { ...base, model: 'churn', baseSha: sha },
        sources({ registry: fakeRegistry([], {}), git }),
      );
      expect(resolved.metrics?.values).toEqual({ accuracy: 0.75 });
      expect(resolved.description.resolved).toBe(`the pull request base fffffff (metrics.json)`);
      expect(resolved.description.fallback).toBe(
        'registry:churn@production does not exist yet: model "churn" is not in the registry; the registry has no models yet; compared with the pull request base fffffff (metrics.json) instead',
      );
    });

    it('falls back when the model has no production alias yet', async () => {
      const unpromoted = fakeRegistry([record(1, { accuracy: 0.8 })], { staging: 1 });
      const resolved = await resolveBaseline(
        { kind: 'auto' },
        { ...base, model: 'churn' },
        sources({ registry: unpromoted }),
      );
      expect(resolved.metrics).toBeUndefined();
      expect(resolved.description.fallback).toBe(
        'no baseline: registry:churn@production does not exist yet: model "churn" has no alias "production"; aliases: "staging"',
      );
    });

    it('stops when the registry cannot be read, or the model is a near miss of a registered one', async () => {
      const labels = { baseline: 'Input "baseline"', model: 'Input "model"' };
      await expect(
        resolveBaseline({ kind: 'auto' }, { ...base, model: 'churn', baseSha: sha, labels }, sources({ git })),
      ).rejects.toThrow(
        new EnvironmentError(
          'baseline auto: registry:churn@production cannot be read: no registry branch. Fix registry-remote or registry-branch, or choose a baseline other than auto.',
        ),
      );
      await expect(
        resolveBaseline(
          { kind: 'auto' },
          { ...base, model: 'chrun', baseSha: sha, labels },
          sources({ registry, git }),
        ),
      ).rejects.toThrow(new InputError('Input "model": model "chrun" is not in the registry; did you mean "churn"?'));
      // A name nothing like a registered one is a new model: auto moves on, loudly.
      const fresh = await resolveBaseline(
        { kind: 'auto' },
        { ...base, model: 'pricing', baseSha: sha, labels },
        sources({ registry, git }),
      );
      expect(fresh.description.fallback).toBe(
        'registry:pricing@production does not exist yet: model "pricing" is not in the registry; registered models: "churn"; compared with the pull request base fffffff (metrics.json) instead',
      );
    });

    it('treats a name that extends a registered one as a new model, a close misspelling as a typo', async () => {
      const labels = { baseline: 'Input "baseline"', model: 'Input "model"' };
      const extended = await resolveBaseline(
        { kind: 'auto' },
        { ...base, model: 'churn-v2', baseSha: sha, labels },
        sources({ registry, git }),
      );
      expect(extended.description.fallback).toBe(
        'registry:churn-v2@production does not exist yet: model "churn-v2" is not in the registry; registered models: "churn"; compared with the pull request base fffffff (metrics.json) instead',
      );
      for (const typo of ['chrun', 'CHURN', 'churns']) {
        await expect(
          resolveBaseline({ kind: 'auto' }, { ...base, model: typo, baseSha: sha, labels }, sources({ registry, git })),
        ).rejects.toThrow(
          new InputError(`Input "model": model "${typo}" is not in the registry; did you mean "churn"?`),
        );
      }
      // An explicit registry: spec keeps the full did-you-mean, prefixes included.
      await expect(
        resolveBaseline(parseBaselineSpec('registry:churn-v2@production', 'baseline'), base, sources({ registry })),
      ).rejects.toThrow(/did you mean "churn"\?$/);
    });

    it('takes a missing default registry branch for a first model, any other missing branch for a typo', async () => {
      const empty = (name: string, remote?: string): BaselineRegistry => ({
        ...fakeRegistry([], {}),
        branch: { name, exists: false, ...(remote ? { remote } : {}) },
      });
      const context = { ...base, model: 'churn', defaultRegistryBranch: 'mlops-registry' };
      const first = await resolveBaseline({ kind: 'auto' }, context, sources({ registry: empty('mlops-registry') }));
      expect(first.description.fallback).toBe(
        'no baseline: registry:churn@production does not exist yet: branch mlops-registry does not exist locally yet',
      );
      await expect(
        resolveBaseline(
          { kind: 'auto' },
          { ...context, labels: { registryBranch: '--registry-branch' } },
          sources({ registry: empty('mlops-registy', 'origin') }),
        ),
      ).rejects.toThrow(
        new InputError(
          '--registry-branch: branch mlops-registy does not exist on origin, so registry:churn@production cannot be read. Fix registry-branch (the default is mlops-registry), or choose a baseline other than auto.',
        ),
      );
    });

    it('stops when the pull request base cannot be had', async () => {
      await expect(
        resolveBaseline({ kind: 'auto' }, { ...base, baseSha: 'e'.repeat(40) }, sources({ git })),
      ).rejects.toThrow(EnvironmentError);
    });

    it('is none outside pull requests without a model, and says what it tried', async () => {
      const resolved = await resolveBaseline({ kind: 'auto' }, base, sources({ git }));
      expect(resolved.metrics).toBeUndefined();
      expect(resolved.description.note).toBe(
        'auto found none: no model to look up in the registry and not a pull request',
      );
      expect(resolved.description.fallback).toBe(
        'no baseline: no model to look up in the registry and not a pull request',
      );
    });

    it('merges several candidate files found at the base, noting the ones that did not exist', async () => {
      const git2 = { [sha]: { 'a.json': '{"x": 1}' } };
      const resolved = await resolveBaseline(
        { kind: 'auto' },
        { candidateFiles: ['a.json', 'b.json'], baseSha: sha, log },
        sources({ git: git2 }),
      );
      expect(resolved.metrics?.values).toEqual({ x: 1 });
      expect(resolved.description.note).toBe(`auto: the pull request base; b.json did not exist at ${sha}`);
    });
  });
});

describe('likelyTypo', () => {
  it('is case-insensitive equality or at most 2 edits between names of 4+ characters and similar length', () => {
    expect(likelyTypo('chrun', ['churn', 'iris'])).toBe('churn');
    expect(likelyTypo('Churn', ['churn'])).toBe('churn');
    expect(likelyTypo('pengiuns', ['penguins'])).toBe('penguins');
    expect(likelyTypo('churn-v2', ['churn'])).toBeUndefined();
    expect(likelyTypo('peng', ['penguins'])).toBeUndefined();
    expect(likelyTypo('ab', ['abc'])).toBeUndefined();
    expect(likelyTypo('rian', ['penguins', 'iris'])).toBeUndefined();
  });
});

describe('suggestName', () => {
  it('prefers a unique prefix, then case, then a close edit', () => {
    expect(suggestName('peng', ['penguins', 'iris'])).toBe('penguins');
    expect(suggestName('Churn', ['churn'])).toBe('churn');
    expect(suggestName('prodution', ['production', 'staging'])).toBe('production');
    expect(suggestName('rian', ['penguins'])).toBeUndefined();
  });
});

describe('loadHistory', () => {
  it('lists every registered version oldest first, and nothing without a registry', async () => {
    expect(await loadHistory('churn', sources({ registry }))).toEqual([
      { label: 'v1', metrics: { accuracy: 0.8 } },
      { label: 'v2', metrics: { accuracy: 0.85 } },
    ]);
    expect(await loadHistory('churn', sources({}))).toEqual([]);
  });
});
