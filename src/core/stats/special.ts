/* eslint-disable no-loss-of-precision -- constants digit for digit as in the Cephes/SciPy source */
/**
 * Special functions behind the tests' p-values: log-gamma, the regularized incomplete gamma and
 * beta functions, the normal CDF and its complement (Cephes' ndtr, which SciPy's norm uses) and
 * the chi-square and Student t survival functions. Accuracy is tested against SciPy 1.10 in
 * test/unit/stats-special.test.ts (docs/statistics.md).
 */

const LOG_SQRT_2PI = 0.91893853320467274178032973640561764; // log(sqrt(2 pi))
const MACHINE_EPSILON = 2.220446049250313e-16;
const MAX_ITERATIONS = 100_000;

/**
 * The Stirling series correction: log Γ(x) - ((x - 0.5) log x - x + log √(2π)), for x >= 10.
 * Coefficients are B_{2k} / (2k (2k - 1)); eight terms reach double precision at x = 10.
 */
function stirlingCorrection(x: number): number {
  const inverseSquare = 1 / (x * x);
  const series =
    1 / 12 +
    inverseSquare *
      (-1 / 360 +
        inverseSquare *
          (1 / 1260 +
            inverseSquare *
              (-1 / 1680 +
                inverseSquare *
                  (1 / 1188 +
                    inverseSquare * (-691 / 360360 + inverseSquare * (1 / 156 + inverseSquare * (-3617 / 122400)))))));
  return series / x;
}

/** log Γ(x) for x > 0 (log |Γ(x)| below), accurate to about 1e-15 absolute. */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    // Reflection: Γ(x) Γ(1 - x) = π / sin(π x).
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  if (x === 1 || x === 2) return 0;
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + stirlingCorrection(x);
  // Shift up to 10 with Γ(x) = Γ(x + k) / (x (x + 1) ... (x + k - 1)).
  let product = 1;
  let shifted = x;
  while (shifted < 10) {
    product *= shifted;
    shifted += 1;
  }
  return logGamma(shifted) - Math.log(product);
}

/** log(1 + d) - d without the cancellation near d = 0. */
function log1pMinusX(d: number): number {
  if (Math.abs(d) > 0.25) return Math.log1p(d) - d;
  // -d²/2 + d³/3 - d⁴/4 + ...
  let power = d;
  let sum = 0;
  for (let k = 2; k < 200; k++) {
    power *= -d;
    const term = power / k;
    sum += term;
    if (Math.abs(term) <= MACHINE_EPSILON * Math.abs(sum)) break;
  }
  return sum;
}

/** log(x^a e^-x / Γ(a)), the prefactor of both incomplete gamma expansions, kept exact for large a. */
function logGammaPrefactor(a: number, x: number): number {
  if (a < 10) return a * Math.log(x) - x - logGamma(a);
  // Writing log Γ(a) by Stirling turns a log x - x - log Γ(a) into a (log1p(d) - d) + ..., d = (x - a) / a,
  // which loses nothing to cancellation when x is near a (the usual case for large df).
  return a * log1pMinusX((x - a) / a) + 0.5 * Math.log(a) - LOG_SQRT_2PI - stirlingCorrection(a);
}

/** The series of P(a, x), for x < a + 1. */
function gammaPSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * MACHINE_EPSILON) break;
  }
  return sum * Math.exp(logGammaPrefactor(a, x));
}

/** The continued fraction of Q(a, x) (modified Lentz), for x >= a + 1. */
function gammaQContinuedFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < MACHINE_EPSILON) break;
  }
  return Math.exp(logGammaPrefactor(a, x)) * h;
}

/** The regularized lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a) (scipy.special.gammainc). */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? gammaPSeries(a, x) : 1 - gammaQContinuedFraction(a, x);
}

/** The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x) (scipy.special.gammaincc). */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQContinuedFraction(a, x);
}

/** log B(a, b), with Stirling's corrections so that large a or b lose nothing to cancellation (as R's lbeta). */
export function logBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p >= 10) {
    const corrections = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q);
    return (
      -0.5 * Math.log(q) + LOG_SQRT_2PI + corrections + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q))
    );
  }
  if (q >= 10) {
    const corrections = stirlingCorrection(q) - stirlingCorrection(p + q);
    return logGamma(p) + corrections + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return logGamma(p) + logGamma(q) - logGamma(p + q);
}

/** The continued fraction of I_x(a, b) (modified Lentz), given x and 1 - x separately. */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < MACHINE_EPSILON) break;
  }
  return h;
}

/**
 * I_x(a, b) where the caller knows both x and y = 1 - x exactly (a t statistic gives
 * x = df / (df + t²) and y = t² / (df + t²); computing 1 - x would lose y's digits).
 */
export function regularizedBetaIComplementary(a: number, b: number, x: number, y: number): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(y >= 0)) return NaN;
  if (x === 0) return 0;
  if (y === 0) return 1;
  const logPrefactor = a * Math.log(x) + b * Math.log(y) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logPrefactor) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(logPrefactor) * betaContinuedFraction(b, a, y)) / b;
}

/** The regularized incomplete beta function I_x(a, b) (scipy.special.betainc). */
export function regularizedBetaI(a: number, b: number, x: number): number {
  if (!(x >= 0 && x <= 1)) return NaN;
  return regularizedBetaIComplementary(a, b, x, 1 - x);
}

// Cephes ndtr.c coefficients (erfc for 1 <= x < 8, x >= 8, and erf for |x| < 1).
const ERFC_P = [
  2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687, 4.86371970985681366614e1,
  1.96520832956077098242e2, 5.26445194995477358631e2, 9.3452852717195760754e2, 1.02755188689515710272e3,
  5.57535335369399327526e2,
];
const ERFC_Q = [
  1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2, 9.75708501743205489753e2,
  1.82390916687909736289e3, 2.24633760818710981792e3, 1.65666309194161350182e3, 5.57535340817727675546e2,
];
const ERFC_R = [
  5.64189583547755073984e-1, 1.27536670759978104416, 5.01905042251180477414, 6.16021097993053585195,
  7.4097426995044893916, 2.9788666537210024067,
];
const ERFC_S = [
  2.2605286322011727659, 9.39603524938001434673, 1.20489539808096656605e1, 1.70814450747565897222e1,
  9.60896809063285878198, 3.3690764510008151605,
];
const ERF_T = [
  9.60497373987051638749, 9.00260197203842689217e1, 2.23200534594684319226e3, 7.00332514112805075473e3,
  5.55923013010394962768e4,
];
const ERF_U = [
  3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3, 2.26290000613890934246e4,
  4.92673942608635921086e4,
];
const MAX_LOG = 7.09782712893383996843e2;

/** Cephes polevl: the polynomial with these coefficients (highest degree first) at x. */
function polevl(x: number, coefficients: readonly number[]): number {
  let result = 0;
  for (const coefficient of coefficients) result = result * x + coefficient;
  return result;
}

/** Cephes p1evl: as polevl with an implicit leading coefficient 1. */
function p1evl(x: number, coefficients: readonly number[]): number {
  let result = 1;
  for (const coefficient of coefficients) result = result * x + coefficient;
  return result;
}

/** The error function (Cephes erf). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return -erf(-x);
  if (x > 1) return 1 - erfc(x);
  const z = x * x;
  return (x * polevl(z, ERF_T)) / p1evl(z, ERF_U);
}

/** The complementary error function 1 - erf(x) (Cephes erfc), precise far into the tail. */
export function erfc(a: number): number {
  if (Number.isNaN(a)) return NaN;
  const x = Math.abs(a);
  if (x < 1) return 1 - erf(a);
  const z = -a * a;
  if (z < -MAX_LOG) return a < 0 ? 2 : 0;
  const e = Math.exp(z);
  const ratio = x < 8 ? polevl(x, ERFC_P) / p1evl(x, ERFC_Q) : polevl(x, ERFC_R) / p1evl(x, ERFC_S);
  const y = e * ratio;
  return a < 0 ? 2 - y : y;
}

/** The standard normal CDF Φ(x) (Cephes ndtr, as scipy.stats.norm.cdf). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const scaled = x * Math.SQRT1_2;
  const z = Math.abs(scaled);
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * erf(scaled);
  const half = 0.5 * erfc(z);
  return scaled > 0 ? 1 - half : half;
}

/** The standard normal survival function 1 - Φ(x) = Φ(-x), precise in the upper tail (scipy.stats.norm.sf). */
export function normalSf(x: number): number {
  return normalCdf(-x);
}

/** The chi-square survival function with df degrees of freedom (scipy.stats.chi2.sf, Cephes chdtrc). */
export function chiSquareSf(x: number, df: number): number {
  if (!(df > 0)) return NaN;
  if (x <= 0) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}

/** Student's t survival function P(T > t) with df degrees of freedom (scipy.stats.t.sf); df may be fractional. */
export function studentTSf(t: number, df: number): number {
  if (!(df > 0) || Number.isNaN(t)) return NaN;
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  const t2 = t * t;
  // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2).
  const tail = 0.5 * regularizedBetaIComplementary(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
  return t > 0 ? tail : 1 - tail;
}

/**
 * e^x K_ν(x), the exponentially scaled modified Bessel function of the second kind (x > 0), from
 * K_ν(x) = ∫₀^∞ e^(-x cosh t) cosh(ν t) dt by the trapezoidal rule. The integrand is even and
 * analytic in a strip around the real axis, so the rule converges geometrically: a step of 1/32
 * leaves an error far below a rounding. Used by the Cramér–von Mises limiting distribution.
 */
export function scaledBesselK(nu: number, x: number): number {
  if (!(x > 0)) return NaN;
  const step = 1 / 32;
  let sum = 0.5; // the t = 0 term, halved
  for (let k = 1; ; k++) {
    const t = k * step;
    const exponent = -x * (Math.cosh(t) - 1);
    const term = Math.exp(exponent) * Math.cosh(nu * t);
    sum += term;
    if (exponent + Math.abs(nu) * t < -45 && term < 1e-20 * sum) break;
  }
  return sum * step;
}

/** K_ν(x), the modified Bessel function of the second kind (scipy.special.kv) for real ν and x > 0. */
export function besselK(nu: number, x: number): number {
  return Math.exp(-x) * scaledBesselK(nu, x);
}
