import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  energyDistance,
  hellingerDistance,
  jensenShannonDistance,
  klDivergence,
  lInfinityDistance,
  populationStabilityIndex,
  wassersteinDistance,
} from '../../src/core/stats/index.js';
import { expectClose, float, sample, vectors, type JsonFloat, type SampleSpec } from './stats-reference.js';

interface CdfCase {
  name: string;
  u: SampleSpec;
  v: SampleSpec;
  uWeights: number[] | null;
  vWeights: number[] | null;
  wasserstein: number;
  energy: number;
}

interface ShareCase {
  name: string;
  p: number[];
  q: number[];
  filledP: JsonFloat[];
  filledQ: JsonFloat[];
  jensenShannon: number;
  jensenShannonBase2: number;
  psi: JsonFloat;
  kl: JsonFloat;
  hellinger: number;
  lInfinity: number;
}

describe('wassersteinDistance and energyDistance against scipy.stats', () => {
  for (const reference of vectors.cdfDistances as CdfCase[]) {
    it(reference.name, () => {
      const u = sample(reference.u);
      const v = sample(reference.v);
      const uWeights = reference.uWeights ?? undefined;
      const vWeights = reference.vWeights ?? undefined;
      expectClose(wassersteinDistance(u, v, uWeights, vWeights), reference.wasserstein, 1e-12, 'wasserstein');
      expectClose(energyDistance(u, v, uWeights, vWeights), reference.energy, 1e-12, 'energy');
    });
  }

  it('rejects empty samples, mismatched or negative weights and a zero total weight, naming the argument', () => {
    expect(() => wassersteinDistance([], [1])).toThrow(
      new InputError('u is empty: a statistic needs at least one value.'),
    );
    expect(() => wassersteinDistance([1, 2], [1], [1])).toThrow(/^uWeights has 1 values but u has 2/);
    expect(() => energyDistance([1, 2], [1], undefined, [-1])).toThrow(/^vWeights\[0\] is -1/);
    expect(() => wassersteinDistance([1, 2], [1], [0, 0])).toThrow(/^uWeights must have a positive, finite sum/);
    expect(() => wassersteinDistance([1, NaN], [1])).toThrow(/^u\[1\] is NaN/);
  });
});

describe('share distances against SciPy and Evidently 0.7', () => {
  for (const reference of vectors.shares as ShareCase[]) {
    it(reference.name, () => {
      expectClose(jensenShannonDistance(reference.p, reference.q), reference.jensenShannon, 1e-12, 'jensenshannon');
      expectClose(
        jensenShannonDistance(reference.p, reference.q, 2),
        reference.jensenShannonBase2,
        1e-12,
        'jensenshannon base 2',
      );
      const filledP = reference.filledP.map(float);
      const filledQ = reference.filledQ.map(float);
      expectClose(populationStabilityIndex(filledP, filledQ), reference.psi, 1e-12, 'psi');
      expectClose(klDivergence(filledP, filledQ), reference.kl, 1e-12, 'kl_div');
      expectClose(hellingerDistance(reference.p, reference.q), reference.hellinger, 1e-12, 'hellinger');
      expectClose(lInfinityDistance(reference.p, reference.q), reference.lInfinity, 1e-12, 'L-infinity');
    });
  }

  it('rejects empty, mismatched, negative and massless distributions and empty shares for PSI and KL', () => {
    expect(() => jensenShannonDistance([], [])).toThrow(
      new InputError('p is empty: a statistic needs at least one value.'),
    );
    expect(() => jensenShannonDistance([1, 2], [1])).toThrow(/^p has 2 values but q has 1/);
    expect(() => hellingerDistance([1, -2], [1, 1])).toThrow(/^p\[1\] is -2/);
    expect(() => lInfinityDistance([0, 0], [1, 1])).toThrow(/^p sums to 0/);
    expect(() => jensenShannonDistance([1], [1], 1)).toThrow(/^base is 1/);
    expect(() => populationStabilityIndex([0.5, 0.5], [1, 0])).toThrow(
      /^currentShares\[1\] is 0: PSI needs every share > 0; replace empty shares first as Evidently does\./,
    );
    expect(() => klDivergence([0.5, 0.5, 0], [0.2, 0.3, 0.5])).toThrow(/^referenceShares\[2\] is 0: KL divergence/);
    expect(() => populationStabilityIndex([0.5, 0.5], [1])).toThrow(
      /^referenceShares has 2 values but currentShares has 1/,
    );
  });
});
