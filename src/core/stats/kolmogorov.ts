/* eslint-disable no-loss-of-precision -- constants digit for digit as in the Cephes/SciPy source */
/**
 * The Kolmogorov–Smirnov distributions SciPy 1.10 uses for ks_2samp's asymptotic branch:
 * `kstwo.sf(d, n)` (scipy/stats/_ksstats.py `_kolmogn`, Simard & L'Ecuyer's choice between the
 * Ruben–Gambino, Durbin matrix (Marsaglia–Tsang–Wang), Pomeranz and Pelz–Good computations) and
 * the one-sided `smirnov(n, d)` (scipy/special/cephes/kolmogorov.c, Birnbaum–Tingey sum). Ported
 * from the SciPy source; SciPy's double-double arithmetic in `smirnov` is replaced by powers taken
 * in base-2 logarithms of exactly formed bases, with the binomial coefficient as mantissa and
 * exponent, within 1e-11 of SciPy's values on the reference vectors.
 */

const MACHINE_EPSILON = 2.220446049250313e-16;
const E128 = 2 ** 128;
const EM128 = 2 ** -128;
const MIN_LOG = -7.451332191019412076235e2; // Cephes MINLOG, log(2**-1075)
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
const SQRT3 = Math.sqrt(3);
const STIRLING_COEFFS = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
  -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

function clipProbability(p: number): number {
  return Math.min(Math.max(p, 0), 1);
}

/** Dekker's split for the exact product below. */
function split(a: number): [number, number] {
  const c = 134217729 * a; // 2^27 + 1
  const high = c - (c - a);
  return [high, a - high];
}

/**
 * floor(n x) and its fractional part, computed from the exact product n x (as Cephes' modNX does
 * in double-double): a fractional part of 1 - ε must not round to the next integer.
 */
function floorAndFraction(n: number, x: number): { floor: number; fraction: number } {
  const product = n * x;
  const [nHigh, nLow] = split(n);
  const [xHigh, xLow] = split(x);
  const error = nHigh * xHigh - product + nHigh * xLow + nLow * xHigh + nLow * xLow;
  let floor = Math.floor(product);
  let fraction = product - floor + error;
  if (fraction < 0) {
    floor -= 1;
    fraction += 1;
  }
  if (fraction >= 1) {
    floor += 1;
    fraction -= 1;
  }
  return { floor, fraction };
}

/**
 * One-sided Smirnov survival function Pr(D_n^+ >= x) (scipy.special.smirnov), the
 * Birnbaum–Tingey sum of Cephes kolmogorov.c `_smirnov`.
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const { floor: nxFloor, fraction: alpha } = floorAndFraction(n, x);
  let n1mxFloor = n - nxFloor - (alpha === 0 ? 0 : 1);
  let n1mxCeil = n - nxFloor;
  if (alpha === 0) {
    n1mxFloor -= 1;
    n1mxCeil += 1;
  }
  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) {
    const t = Math.pow(1 + x, n - 1);
    return clipProbability(1 - x * t);
  }
  if (-2 * n * x * x < MIN_LOG) return 0;
  if (nxFloor >= n - 1) return Math.pow(1 - x, n);
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logP = -Math.pow(6 * n * x + 1, 2) / 18 / n;
    return logP < -Math.LN2 ? Math.exp(logP) : 1 + Math.expm1(logP);
  }
  const upperTermCount = n - n1mxCeil + 1;
  const useUpperSum =
    (upperTermCount <= 1 && x < 0.5) ||
    (n >= SM_UPPERSUM_MIN_N && upperTermCount <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));

  const start = useUpperSum ? n : 0;
  const step = useUpperSum ? -1 : 1;
  const termCount = useUpperSum ? n - n1mxCeil + 1 : n1mxFloor + 1;
  const middle = Math.floor(n / 2);
  let sum = useUpperSum ? Math.pow(1 + x, n - 1) : Math.pow(1 - x, n) / x;
  // C(n, j) as mantissa * 2^exponent (Cephes updateBinomial keeps it so): it overflows a double long
  // before n = 10^6. Multiplying by (n - j) / (j + 1) adds two roundings per step, far less than
  // summing logarithms would.
  let binomialMantissa = n;
  let binomialExponent = 0;
  for (let j = 1; j < termCount; j++) {
    const v = start + j * step;
    // A_v = C(n, v) (1 - x - v/n)^(n - v) (x + v/n)^(v - 1), with both bases formed from the exact
    // floor(n x) and fraction so that raising them to large powers does not amplify a rounding;
    // the powers are taken in base 2 so that the binomial's exponent joins them exactly.
    const lowerBase = (n - v - nxFloor - alpha) / n;
    const upperBase = (nxFloor + v + alpha) / n;
    let term: number;
    if (lowerBase === 0 && n - v > 0) {
      term = 0;
    } else {
      const lowerLog2 = n - v === 0 ? 0 : (n - v) * Math.log2(Math.abs(lowerBase));
      const upperLog2 = v - 1 === 0 ? 0 : (v - 1) * Math.log2(upperBase);
      const sign = lowerBase < 0 && (n - v) % 2 === 1 ? -1 : 1;
      // The mantissa is in [1, 2^32]: scaled into (0, 1] first, the power of two stays normal
      // for every term that is itself a normal double.
      term = sign * (binomialMantissa * 2 ** -32) * Math.pow(2, binomialExponent + 32 + (lowerLog2 + upperLog2));
    }
    if (Number.isFinite(term) && term !== 0) sum += term;
    if (term !== 0) {
      if (4 * (termCount - j) * Math.abs(term) < MACHINE_EPSILON * sum && j !== termCount - 1) break;
    } else if (j > middle) {
      break;
    }
    binomialMantissa *= (n - j) / (j + 1);
    if (binomialMantissa > 2 ** 32) {
      binomialMantissa *= 2 ** -32;
      binomialExponent += 32;
    } else if (binomialMantissa < 1) {
      binomialMantissa *= 2 ** 32;
      binomialExponent -= 32;
    }
  }
  const probability = x * sum;
  return clipProbability(step < 0 ? 1 - probability : probability);
}

/** log(n! / n^n) by Stirling's series with n log n removed first (_ksstats `_log_nfactorial_div_n_pow_n`). */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const coefficient of STIRLING_COEFFS) poly = poly * (rn / n) + coefficient;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** C = A B for m × m row-major matrices. */
function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array<ArrayBuffer> {
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j]! += aik * b[k * m + j]!;
    }
  }
  return c;
}

/** Pr(D_n <= d) by the Durbin matrix algorithm as Marsaglia, Tsang and Wang compute it (_kolmogn_DMTW). */
function kolmogorovCdfDurbin(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let factorial = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = factorial;
    factorial /= j;
    v[j - 1] = (1 - h ** j) * factorial;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * factorial;
  let matrix = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let row = i - 1; row < m; row++) matrix[row * m + i] = w[row - (i - 1)]!;
  }
  for (let row = 0; row < m; row++) matrix[row * m] = v[row]!;
  for (let column = 0; column < m; column++) matrix[(m - 1) * m + column] = v[m - 1 - column]!;

  let power = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let remaining = n;
  let exponent = 0;
  let matrixExponent = 0;
  while (remaining > 0) {
    if (remaining % 2) {
      power = multiply(power, matrix, m);
      exponent += matrixExponent;
    }
    matrix = multiply(matrix, matrix, m);
    matrixExponent *= 2;
    if (Math.abs(matrix[(k - 1) * m + (k - 1)]!) > E128) {
      for (let i = 0; i < matrix.length; i++) matrix[i]! /= E128;
      matrixExponent += 128;
    }
    remaining = Math.floor(remaining / 2);
  }
  let p = power[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      exponent -= 128;
    }
  }
  if (exponent !== 0) p *= 2 ** exponent;
  return clipProbability(p);
}

/** The interval of row i in the Pomeranz recursion (_pomeranz_compute_j1j2). */
function pomeranzInterval(i: number, n: number, ll: number, ceilF: number, roundF: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilF - 1;
    j2 = ll + ceilF - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilF - 1;
        j2 = n + ll + ceilF - 1;
      } else {
        j1 = half - 1 - ll - roundF - 1;
        j2 = half + ll - 1 + ceilF - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundF - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pr(D_n <= x) by the Pomeranz recursion (_kolmogn_Pomeranz). */
function kolmogorovCdfPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilF = f > 0 ? 1 : 0;
  const roundF = f > 0.5 ? 1 : 0;
  const powerCount = 2 * (ll + 1);
  const gPower = new Float64Array(powerCount);
  const twoGPower = new Float64Array(powerCount);
  const oneMinusTwoGPower = new Float64Array(powerCount);
  gPower[0] = 1;
  twoGPower[0] = 1;
  oneMinusTwoGPower[0] = 1;
  let exponent = 0;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < powerCount; m++) {
    gPower[m] = (gPower[m - 1]! * gOverN) / m;
    twoGPower[m] = (twoGPower[m - 1]! * twoGOverN) / m;
    oneMinusTwoGPower[m] = (oneMinusTwoGPower[m - 1]! * oneMinusTwoGOverN) / m;
  }
  let v0 = new Float64Array(powerCount);
  let v1 = new Float64Array(powerCount);
  v1[0] = 1;
  let v0Start = 0;
  let v1Start = 0;
  let [j1] = pomeranzInterval(0, n, ll, ceilF, roundF);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [v0Start, v1Start] = [v1Start, v0Start];
    v1.fill(0);
    const interval = pomeranzInterval(i, n, ll, ceilF, roundF);
    j1 = interval[0];
    const j2 = interval[1];
    const powers = i === 1 || i === 2 * n + 1 ? gPower : i % 2 ? twoGPower : oneMinusTwoGPower;
    const length = j2 - k1 + 1;
    if (length > 0) {
      // np.convolve(V0[k1 - V0s : k1 - V0s + length], powers[:length]), entries from j1 - k1 on.
      const offset = k1 - v0Start;
      const sliceLength = Math.min(length, powerCount - offset);
      const convStart = j1 - k1;
      const convLength = j2 - j1 + 1;
      let largest = 0;
      for (let out = 0; out < convLength; out++) {
        const index = convStart + out;
        let sum = 0;
        const low = Math.max(0, index - (length - 1));
        const high = Math.min(sliceLength - 1, index);
        for (let s = low; s <= high; s++) sum += v0[offset + s]! * powers[index - s]!;
        v1[out] = sum;
        if (sum > largest) largest = sum;
      }
      if (largest > 0 && largest < EM128) {
        for (let s = 0; s < v1.length; s++) v1[s]! *= E128;
        exponent -= 128;
      }
      v1Start = v0Start + j1 - k1;
    }
  }
  let answer = v1[n - v1Start]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > E128) {
      answer *= EM128;
      exponent += 128;
    }
    answer *= m;
  }
  if (exponent !== 0) answer *= 2 ** exponent;
  return clipProbability(answer);
}

/** The Pelz–Good approximation to Pr(D_n <= x) (_kolmogn_PelzGood). */
function kolmogorovCdfPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qLog = -PI_SQUARED / 8 / z2;
  if (qLog < -708) return 0;
  let q = Math.exp(qLog);
  const k1a = -z2;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * z2)) / 16;
  const k3d = (PI_SIX * (5 - 30 * z2)) / 64;
  const k3c = (PI_FOUR * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI_SQUARED * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const sums = [0, 0, 0, 0];
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let k = maxK; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qPower = Math.pow(q, 8 * k);
    const coefficients = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) sums[i] = sums[i]! * qPower + coefficients[i]!;
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) sums[i] = (sums[i]! * q * SQRT_2PI) / divisors[i]!;
  q = Math.exp(-PI_SQUARED / 2 / z2);
  let k2Extra = 0;
  let k3Extra = 0;
  const sqrt3z = SQRT3 * z;
  for (let k = maxK; k > 0; k--) {
    const k2 = k ** 2;
    const qPower = q ** k2;
    const kPi = Math.PI * k;
    k2Extra += k2 * qPower;
    k3Extra += (sqrt3z + kPi) * (sqrt3z - kPi) * k2 * qPower;
  }
  sums[2]! += k2Extra * ((PI_SQUARED * SQRT_2PI) / (-36 * z3));
  sums[3]! += k3Extra * ((PI_SQUARED * SQRT_2PI) / (216 * z6));
  let total = 0;
  for (let i = 0; i < 4; i++) total += sums[i]! / Math.pow(n, i / 2);
  return total;
}

/**
 * The survival function of the two-sided one-sample Kolmogorov–Smirnov statistic D_n,
 * Pr(D_n >= x) = scipy.stats.kstwo.sf(x, n) (_ksstats `_kolmogn` with cdf=False).
 */
export function kolmogorovSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(x)) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let probability: number;
    if (n <= 140) {
      probability = 1;
      for (let i = 1; i <= n; i++) probability *= i * (1 / n) * (2 * t - 1);
    } else {
      probability = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clipProbability(1 - probability);
  }
  if (t >= n - 1) return clipProbability(2 * (1 - x) ** n);
  if (x >= 0.5) return clipProbability(2 * smirnovSf(n, x));
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return clipProbability(1 - kolmogorovCdfDurbin(n, x));
    if (nxSquared <= 4) return clipProbability(1 - kolmogorovCdfPomeranz(n, x));
    return clipProbability(2 * smirnovSf(n, x));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clipProbability(2 * smirnovSf(n, x));
  let cdf: number;
  if (nxSquared >= 18) cdf = 1;
  else if (n <= 100_000 && n * x ** 1.5 <= 1.4) cdf = kolmogorovCdfDurbin(n, x);
  else cdf = kolmogorovCdfPelzGood(n, x);
  return clipProbability(1 - clipProbability(cdf));
}
