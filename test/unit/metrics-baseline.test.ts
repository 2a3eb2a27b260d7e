import { describe, expect, it } from 'vitest';
import { resolveBaseline, loadHistory, type BaselineSources } from '../../src/core/metrics/baseline.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { memoryLogger } from '../../src/core/logger.js';
import { parseBaselineSpec, parseMetricsDocument } from '../../src/core/metrics/index.js';
import type { ModelVersionRecord, RegistryReader, VersionSelector } from '../../src/core/registry/contract.js';

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
function fakeRegistry(versions: ModelVersionRecord[], aliases: Record<string, number>): RegistryReader {
  return {
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
  registry?: RegistryReader | { unavailable: string };
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

  it('a missing alias, version, model or registry is not an error: the note says why', async () => {
    const staging = await resolveBaseline(parseBaselineSpec('registry:churn@staging'), base, sources({ registry }));
    expect(staging.metrics).toBeUndefined();
    expect(staging.description.note).toBe(
      'registry:churn@staging: model "churn" has no alias "staging" in the registry',
    );
    const v9 = await resolveBaseline(parseBaselineSpec('registry:churn@v9'), base, sources({ registry }));
    expect(v9.description.note).toBe('registry:churn@v9: model "churn" has no version v9 in the registry');
    const none = await resolveBaseline(parseBaselineSpec('registry:churn@production'), base, sources({}));
    expect(none.description.note).toBe('registry:churn@production: the registry cannot be read (no registry branch)');
  });

  it('file:<path> reads the file; a missing file is a note, a malformed one an error', async () => {
    const files = { 'base.json': '{"accuracy": 0.7}', 'bad.json': '{"accuracy": "x"}' };
    const found = await resolveBaseline(parseBaselineSpec('file:base.json'), base, sources({ files }));
    expect(found.metrics?.values).toEqual({ accuracy: 0.7 });
    expect(found.description.resolved).toBe('file:base.json');
    const missing = await resolveBaseline(parseBaselineSpec('file:nope.json'), base, sources({ files }));
    expect(missing.description.note).toBe('file:nope.json does not exist');
    await expect(resolveBaseline(parseBaselineSpec('file:bad.json'), base, sources({ files }))).rejects.toThrow(
      ConfigurationError,
    );
  });

  it('git:<ref>:<path> reads the file at the ref; a missing ref or file is a note', async () => {
    const git = { abc123: { 'eval/metrics.json': '{"auc": 0.9}' } };
    const found = await resolveBaseline(parseBaselineSpec('git:abc123:eval/metrics.json'), base, sources({ git }));
    expect(found.metrics?.values).toEqual({ auc: 0.9 });
    expect(found.description.resolved).toBe('git:abc123:eval/metrics.json');
    const noFile = await resolveBaseline(parseBaselineSpec('git:abc123:other.json'), base, sources({ git }));
    expect(noFile.description.note).toBe('other.json did not exist at abc123');
    const noRef = await resolveBaseline(parseBaselineSpec('git:zzz:m.json'), base, sources({ git }));
    expect(noRef.description.note).toBe('git ref "zzz" is not available (no such commit or ref)');
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

    it('falls back to the metrics file at the pull request base sha', async () => {
      const empty = fakeRegistry([], {});
      const resolved = await resolveBaseline(
        { kind: 'auto' },
        { ...base, model: 'churn', baseSha: sha },
        sources({ registry: empty, git }),
      );
      expect(resolved.metrics?.values).toEqual({ accuracy: 0.75 });
      expect(resolved.description.resolved).toBe(`the pull request base fffffff (metrics.json)`);
    });

    it('is none outside pull requests without a model, and says what it tried', async () => {
      const resolved = await resolveBaseline({ kind: 'auto' }, base, sources({ git }));
      expect(resolved.metrics).toBeUndefined();
      expect(resolved.description.note).toBe(
        'auto found none: no model to look up in the registry and not a pull request',
      );
      const tried = await resolveBaseline(
        { kind: 'auto' },
        { ...base, model: 'churn', baseSha: 'e'.repeat(40) },
        sources({ registry: fakeRegistry([], {}), git }),
      );
      expect(tried.description.note).toBe(
        `auto found none: registry:churn@production: model "churn" has no alias "production" in the registry; git ref "${'e'.repeat(40)}" is not available (no such commit or ref)`,
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

describe('loadHistory', () => {
  it('lists every registered version oldest first, and nothing without a registry', async () => {
    expect(await loadHistory('churn', sources({ registry }))).toEqual([
      { label: 'v1', metrics: { accuracy: 0.8 } },
      { label: 'v2', metrics: { accuracy: 0.85 } },
    ]);
    expect(await loadHistory('churn', sources({}))).toEqual([]);
  });
});
