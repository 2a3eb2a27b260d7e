import { describe, expect, it } from 'vitest';
import { editDistance, nearest } from '../../src/core/suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('suite', 'suite')).toBe(0);
    expect(editDistance('suit', 'suite')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('nearest', () => {
  it('returns the closest candidate within the limit, the first one on a tie', () => {
    expect(nearest('--suit', ['--data', '--suite', '--format'], 2)).toBe('--suite');
    expect(nearest('ab', ['ax', 'ay'], 1)).toBe('ax');
  });

  it('returns undefined when every candidate is too far', () => {
    expect(nearest('zzzzzz', ['--data', '--suite'], 2)).toBeUndefined();
    expect(nearest('x', [], 5)).toBeUndefined();
  });
});
