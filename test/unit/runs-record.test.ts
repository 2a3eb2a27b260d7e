import { describe, expect, it } from 'vitest';
import { parseRunRecord } from '../../src/core/registry/runs.js';

const sha = 'a'.repeat(64);
/** A record with every field the train action writes. */
const full = {
  kind: 'mlops-run',
  format: 1,
  id: 'r-1',
  name: 'sweep',
  status: 'timed-out',
  error: 'timed out after 1 minute',
  startedAt: '2024-05-01T10:00:00Z',
  finishedAt: '2024-05-01T10:01:00Z',
  durationSeconds: 60,
  command: 'python train.py',
  shell: 'bash',
  exitCode: null,
  signal: 'SIGKILL',
  outputTail: ['epoch 3', 'epoch 4'],
  params: { lr: 0.01, opt: { name: 'adam' } },
  paramOverrides: { lr: 0.01, 'opt.name': 'adam', flag: true, none: null },
  paramsSource: 'params.yml',
  metrics: { loss: 0.3 },
  metricHistory: {
    loss: [
      { step: 0, value: 0.9, timestamp: 1714557600000 },
      { step: 1, value: 0.3 },
    ],
  },
  seed: 42,
  data: [{ path: 'data', kind: 'directory', sha256: sha, files: 3, bytes: 100 }],
  model: { path: 'model/model.pkl', kind: 'file', sha256: sha, files: 1, bytes: 10 },
  dataSha256: sha,
  modelSha256: sha,
  lineage: {
    git: { commit: 'b'.repeat(40), ref: 'refs/heads/main', dirty: false },
    lockfiles: [{ path: 'requirements.txt', sha256: sha }],
    runner: { os: 'linux', arch: 'x64' },
    node: 'v20.19.0',
    python: '3.11.2',
  },
  git: { commit: 'b'.repeat(40) },
  mlflow: { runId: 'abc', experimentId: '0', tags: { 'mlflow.runName': 'x' } },
  actor: 'octocat',
  runUrl: 'https://github.com/o/r/actions/runs/1',
};

describe('the run record schema (format 1)', () => {
  it('accepts a record with every new field, and an old one with none of them', () => {
    expect(parseRunRecord(JSON.stringify(full), 'run.json').lineage?.python).toBe('3.11.2');
    const old = {
      id: 'r0',
      startedAt: '2024-05-01T10:00:00Z',
      params: {},
      metrics: { a: 1 },
      git: { commit: 'abcdef1' },
    };
    expect(parseRunRecord(JSON.stringify(old), 'run.json').id).toBe('r0');
  });

  it.each([
    ['data/0/kind', { data: [{ ...full.data[0], kind: 'link' }] }],
    ['metricHistory/loss/0', { metricHistory: { loss: [{ value: 1 }] } }],
    ['lineage/lockfiles/0/sha256', { lineage: { lockfiles: [{ path: 'uv.lock', sha256: 'nope' }] } }],
    ['paramOverrides/lr', { paramOverrides: { lr: [1] } }],
    ['mlflow', { mlflow: { experimentId: '0' } }],
    ['outputTail/0', { outputTail: [1] }],
  ])('names the key of a bad %s', (key, change) => {
    expect(() => parseRunRecord(JSON.stringify({ ...full, ...change }), 'run.json')).toThrow(
      new RegExp(`not a valid run record: /${key.replace(/\//g, '\\/')}`),
    );
  });
});
