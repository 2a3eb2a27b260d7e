import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectActionMeta, renderActionMeta } from '../../scripts/gen-action-meta.mjs';
import { actionMeta } from '../../src/generated/action-meta.js';

const root = join(import.meta.dirname, '..', '..');

describe('src/generated/action-meta.ts', () => {
  it('is what scripts/gen-action-meta.mjs renders from the action.yml files now', () => {
    const committed = readFileSync(join(root, 'src', 'generated', 'action-meta.ts'), 'utf8');
    const fresh = renderActionMeta(collectActionMeta());
    // A failure here means an action.yml changed without `node scripts/gen-action-meta.mjs`.
    expect(committed).toBe(fresh);
  });

  it('describes the six JavaScript actions', () => {
    expect(Object.keys(actionMeta).sort()).toEqual([
      'deploy',
      'drift-check',
      'evaluate-gate',
      'register',
      'train',
      'validate-data',
    ]);
  });

  it('gives every action the common inputs of the design', () => {
    for (const [name, meta] of Object.entries(actionMeta)) {
      const inputs = meta.inputs as Record<string, { default?: string }>;
      expect(inputs['working-directory']?.default, name).toBe('.');
      expect(inputs['github-token']?.default, name).toBe('${{ github.token }}');
    }
  });

  it('renders a stale description differently, so the check can fail', () => {
    const meta = collectActionMeta();
    const first = Object.values(meta)[0]!;
    first.description += ' (changed)';
    expect(renderActionMeta(meta)).not.toBe(readFileSync(join(root, 'src', 'generated', 'action-meta.ts'), 'utf8'));
  });
});
