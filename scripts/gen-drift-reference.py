#!/usr/bin/python3
"""Reference values for the drift engine (src/core/drift), computed with numpy, scipy and pandas.

Evidently cannot be installed here (no PyPI), so this script runs Evidently 0.7's rules with the
same numpy/scipy/pandas calls, copied from its source (src/evidently/legacy/calculations/
stattests/*.py, stattests/utils.py `get_binned_data`, stattests/registry.py
`_get_default_stattest`, calculations/data_drift.py `get_one_column_drift`,
utils/data_preprocessing.py `_get_column_type`). The output is committed as
test/fixtures/reference/drift-engine.json; CI does not need Python.

    /usr/bin/python3 scripts/gen-drift-reference.py
"""
import json
import math
import os
from collections import defaultdict

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "test", "fixtures", "reference", "drift-engine.json")


def plain(value):
    if isinstance(value, (np.floating, float)):
        value = float(value)
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


# ---- numpy's Sturges edges and histogram counts -------------------------------------------------


def sturges_vectors():
    rng = np.random.RandomState(7)
    vectors = []
    sizes = [1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 100, 127, 128, 129, 1000, 1001, 1023, 1024, 1025, 2048, 4096,
             10000, 65536, 100000, 131072, 1000000, 1048576, 2000000]
    ranges = [(0.0, 1.0), (-3.2, 4.7), (1e-9, 2e-9), (1000.0, 1000.5), (0.0, 0.0), (5.0, 5.0), (-1e6, 1e6),
              (0.1, 0.7), (17, 90), (0, 1), (-5, 5), (3.0000001, 3.0000002)]
    for size in sizes:
        for lo, hi in ranges:
            vectors.append((lo, hi, size))
    for _ in range(150):
        lo = float(rng.normal() * 10 ** rng.randint(-3, 6))
        hi = lo + float(abs(rng.normal()) * 10 ** rng.randint(-6, 6))
        size = int(rng.randint(1, 3_000_000))
        vectors.append((lo, hi, size))
    out = []
    for lo, hi, size in vectors:
        if size == 1:
            lo = hi  # one value: min and max are the same
        # The edges depend on min, max and size only: an array with those gives numpy's answer.
        a = np.full(size, lo, dtype=float)
        a[-1] = hi
        edges = np.histogram_bin_edges(a, bins="sturges")
        out.append({"min": lo, "max": hi, "size": size, "edges": plain(edges)})
    return out


def histogram_vectors():
    rng = np.random.RandomState(11)
    out = []
    for size in [5, 50, 333, 1000]:
        values = np.round(rng.normal(size=size) * 3, 1)  # many ties, values on edges
        edges = np.histogram_bin_edges(values, bins="sturges")
        values_with_edges = np.concatenate([values, edges[:3], edges[-1:]])
        counts = np.histogram(values_with_edges, edges)[0]
        out.append({"values": plain(values_with_edges), "edges": plain(edges), "counts": plain(counts)})
    return out


# ---- Evidently's rules ---------------------------------------------------------------------------


def get_unique_not_nan_values_list_from_series(current_data, reference_data):
    return list(set(reference_data.dropna().unique()) | set(current_data.dropna().unique()))


def get_binned_data(reference_data, current_data, feature_type, n, feel_zeroes=True):
    n_vals = reference_data.nunique()
    if feature_type == "num" and n_vals > 20:
        combined = np.asarray(pd.concat([reference_data, current_data], axis=0).values)
        bins = np.histogram_bin_edges(combined, bins="sturges")
        reference_percents = np.histogram(reference_data, bins)[0] / len(reference_data)
        current_percents = np.histogram(current_data, bins)[0] / len(current_data)
    else:
        keys = get_unique_not_nan_values_list_from_series(current_data=current_data, reference_data=reference_data)
        ref_feature_dict = {**dict.fromkeys(keys, 0), **dict(reference_data.value_counts())}
        current_feature_dict = {**dict.fromkeys(keys, 0), **dict(current_data.value_counts())}
        reference_percents = np.array([ref_feature_dict[key] / len(reference_data) for key in keys])
        current_percents = np.array([current_feature_dict[key] / len(current_data) for key in keys])
    if feel_zeroes:
        np.place(reference_percents, reference_percents == 0,
                 min(reference_percents[reference_percents != 0]) / 10**6
                 if min(reference_percents[reference_percents != 0]) <= 0.0001 else 0.0001)
        np.place(current_percents, current_percents == 0,
                 min(current_percents[current_percents != 0]) / 10**6
                 if min(current_percents[current_percents != 0]) <= 0.0001 else 0.0001)
    return reference_percents, current_percents


def ks_test(ref, cur, ft, threshold):
    p = stats.ks_2samp(ref, cur)[1]
    return p, p <= threshold


def chi_test(ref, cur, ft, threshold):
    keys = get_unique_not_nan_values_list_from_series(current_data=cur, reference_data=ref)
    ref_feature_dict = {**dict.fromkeys(keys, 0), **dict(ref.value_counts())}
    current_feature_dict = {**dict.fromkeys(keys, 0), **dict(cur.value_counts())}
    k_norm = cur.shape[0] / ref.shape[0]
    f_exp = [ref_feature_dict[key] * k_norm for key in keys]
    f_obs = [current_feature_dict[key] for key in keys]
    p = stats.chisquare(f_obs, f_exp)[1]
    return p, p < threshold


def z_test(ref, cur, ft, threshold):
    if ref.nunique() == 1 and cur.nunique() == 1 and ref.unique()[0] == cur.unique()[0]:
        p = 1
    else:
        keys = sorted(get_unique_not_nan_values_list_from_series(current_data=cur, reference_data=ref))
        a = ref.apply(lambda x, key=keys[0]: 0 if x == key else 1)
        b = cur.apply(lambda x, key=keys[0]: 0 if x == key else 1)
        n1, n2 = len(a), len(b)
        p1, p2 = float(sum(a)) / n1, float(sum(b)) / n2
        P = float(p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
        p = 2 * (1 - stats.norm.cdf(np.abs(z)))
    return p, p < threshold


def wasserstein_test(ref, cur, ft, threshold):
    norm = max(float(np.std(ref)), 0.001)
    value = stats.wasserstein_distance(ref, cur) / norm
    return value, value >= threshold


def js_test(ref, cur, ft, threshold):
    r, c = get_binned_data(ref, cur, ft, 30, False)
    value = distance.jensenshannon(r, c, None)
    return value, value >= threshold


def psi_test(ref, cur, ft, threshold):
    r, c = get_binned_data(ref, cur, ft, 30)
    value = np.sum((r - c) * np.log(r / c))
    return value, value >= threshold


def kl_test(ref, cur, ft, threshold):
    r, c = get_binned_data(ref, cur, ft, 30)
    value = stats.entropy(r, c)
    return value, value >= threshold


def hellinger_test(ref, cur, ft, threshold):
    ref = ref.dropna()
    cur = cur.dropna()
    keys = list((set(ref.unique()) | set(cur.unique())))
    if ft == "cat":
        dd = defaultdict(int)
        r = (ref.value_counts() / len(ref)).to_dict(into=dd)
        c = (cur.value_counts() / len(cur)).to_dict(into=dd)
        h = 0.0
        for key in keys:
            h += math.sqrt(float(r[key]) * float(c[key]))
    else:
        bins = np.histogram_bin_edges(keys, bins="sturges")
        h1 = np.histogram(ref.to_numpy(), bins=bins, density=True)[0]
        h2 = np.histogram(cur.to_numpy(), bins=bins, density=True)[0]
        bin_width = (max(bins) - min(bins)) / (len(bins) - 1)
        h = 0.0
        for i in range(len(h1)):
            h += math.sqrt(float(h1[i]) * float(h2[i])) * bin_width
    h = np.clip(h, 0, 1)
    h = math.sqrt(1 - h)
    return h, h >= threshold


TESTS = {
    "ks": (ks_test, 0.05), "chisquare": (chi_test, 0.05), "z": (z_test, 0.05),
    "wasserstein": (wasserstein_test, 0.1), "jensenshannon": (js_test, 0.1), "psi": (psi_test, 0.1),
    "kl_div": (kl_test, 0.1), "hellinger": (hellinger_test, 0.1),
}


def default_test(ref, cur, ft):
    n_values = pd.concat([ref, cur]).nunique()
    if ref.shape[0] <= 1000:
        if ft == "num":
            if n_values <= 5:
                return "chisquare" if n_values > 2 else "z"
            return "ks"
        return "chisquare" if n_values > 2 else "z"
    if ft == "num":
        return "jensenshannon" if n_values <= 5 else "wasserstein"
    return "jensenshannon"


def column_type(ref, cur):
    """utils/data_preprocessing.py `_get_column_type` for a feature column."""
    dtype = cur.dtype
    if pd.api.types.is_integer_dtype(dtype):
        nunique = ref.nunique() or cur.nunique()
        return "cat" if nunique <= 5 else "num"
    if pd.api.types.is_numeric_dtype(dtype):
        return "cat" if dtype == bool else "num"
    return "cat"


def series(cells, kind):
    """The pandas series a CSV with these cells reads as (null -> NaN, "inf" -> inf)."""
    if kind == "num":
        values = [np.nan if c is None else float(c) for c in cells]
        if all(c is not None and isinstance(c, int) for c in cells):
            return pd.Series(values).astype("int64")
        return pd.Series(values, dtype=float)
    return pd.Series([None if c is None else c for c in cells], dtype=object)


def drift_case(name, ref_cells, cur_cells, kind, test=None):
    ref_raw = series(ref_cells, kind)
    cur_raw = series(cur_cells, kind)
    ft = column_type(ref_raw, cur_raw)
    # get_one_column_drift: inf -> NaN, then dropna, on each side.
    ref = ref_raw.replace([-np.inf, np.inf], np.nan).dropna()
    cur = cur_raw.replace([-np.inf, np.inf], np.nan).dropna()
    chosen = test or default_test(ref, cur, ft)
    func, threshold = TESTS[chosen]
    value, drift = func(ref.copy(), cur.copy(), ft, threshold)
    return {
        "name": name, "reference": ref_cells, "current": cur_cells, "forced_test": test,
        "type": "numeric" if ft == "num" else "categorical", "test": chosen,
        "value": plain(value), "threshold": threshold, "drift": bool(drift),
        "reference_rows": int(ref.shape[0]), "current_rows": int(cur.shape[0]),
        "integer": bool(pd.api.types.is_integer_dtype(ref_raw.dtype)),
    }


def rounded(values, digits=3):
    return [round(float(v), digits) for v in values]


def drift_cases():
    rng = np.random.RandomState(3)
    cases = []
    normal = lambda n, loc=0.0, scale=1.0: rounded(rng.normal(loc, scale, n))
    # Test choice at 1000/1001 reference values (many distinct values).
    cases.append(drift_case("numeric 1000 rows: ks", normal(1000), normal(800, 0.1), "num"))
    cases.append(drift_case("numeric 1001 rows: wasserstein", normal(1001), normal(800, 0.1), "num"))
    cases.append(drift_case("numeric 1001 rows, no drift", normal(1001), normal(900), "num"))
    # 2/3/5/6 distinct values (floats, so the column stays numeric), small and large references.
    for distinct in [2, 3, 5, 6]:
        levels = [0.5 + i for i in range(distinct)]
        ref = [levels[i] for i in rng.randint(0, distinct, 400)]
        cur = [levels[i] for i in rng.randint(0, distinct, 300)]
        cases.append(drift_case(f"numeric {distinct} distinct, 400 rows", ref, cur, "num"))
        ref = [levels[i] for i in rng.randint(0, distinct, 1500)]
        cur = [levels[min(i, distinct - 1)] for i in rng.randint(0, distinct + 1, 1200)]
        cases.append(drift_case(f"numeric {distinct} distinct, 1500 rows", ref, cur, "num"))
    # Distinct values counted over both sides: 3 in the reference, 6 together.
    cases.append(drift_case("numeric 3+3 distinct values together", [0.5, 1.5, 2.5] * 100, [3.5, 4.5, 5.5, 0.5] * 50, "num"))
    # Integer columns with at most 5 distinct reference values are categorical (Evidently's int rule).
    cases.append(drift_case("integer 4 distinct: categorical", [int(v) for v in rng.randint(0, 4, 500)],
                            [int(v) for v in rng.randint(0, 7, 500)], "num"))
    cases.append(drift_case("integer 9 distinct: numeric", [int(v) for v in rng.randint(0, 9, 500)],
                            [int(v) for v in rng.randint(0, 9, 500)], "num"))
    # Categorical columns.
    colours = ["red", "green", "blue", "cyan"]
    cases.append(drift_case("categorical 2 values: z", [colours[i] for i in rng.randint(0, 2, 600)],
                            [colours[i] for i in (rng.rand(500) < 0.6).astype(int)], "cat"))
    cases.append(drift_case("categorical 3 values: chisquare", [colours[i] for i in rng.randint(0, 3, 600)],
                            [colours[i] for i in rng.randint(0, 3, 500)], "cat"))
    cases.append(drift_case("categorical: a value absent from the reference", [colours[i] for i in rng.randint(0, 3, 600)],
                            [colours[i] for i in rng.randint(0, 4, 500)], "cat"))
    cases.append(drift_case("categorical 1500 rows: jensenshannon", [colours[i] for i in rng.randint(0, 4, 1500)],
                            [colours[i] for i in rng.randint(0, 3, 700)], "cat"))
    cases.append(drift_case("categorical one same value: z p=1", ["a"] * 30, ["a"] * 20, "cat"))
    # NaN and inf are dropped before anything else.
    ref = normal(600)
    ref[::7] = [None] * len(ref[::7])
    ref[3] = "inf"
    ref[5] = "-inf"
    cur = normal(400, 0.05)
    cur[::9] = [None] * len(cur[::9])
    cur[2] = "inf"
    cases.append(drift_case("numeric with NaN and inf", ref, cur, "num"))
    ref = normal(1500, 10, 2)
    ref[::5] = [None] * len(ref[::5])
    ref[1] = "inf"
    cases.append(drift_case("numeric 1500 with NaN and inf: wasserstein", ref, normal(1300, 10.1, 2), "num"))
    # Constant reference: the norm is 0.001.
    cases.append(drift_case("wasserstein with std below 0.001", [1.0] * 1200 + [1.0001] * 30, normal(1000, 1.0, 0.01), "num"))
    # Forced tests: binned (Sturges) and per-value, numeric and categorical.
    cont_ref = normal(2000, 0, 1)
    cont_cur = normal(1500, 0.2, 1.1)
    few_ref = [float(v) for v in rng.randint(0, 12, 2000)]
    few_cur = [float(v) for v in rng.randint(0, 15, 1500)]
    cat_ref = [colours[i] for i in rng.randint(0, 4, 800)]
    cat_cur = [colours[i] for i in rng.randint(0, 3, 900)]
    for test in ["jensenshannon", "psi", "kl_div", "hellinger"]:
        cases.append(drift_case(f"{test}: numeric, Sturges bins", cont_ref, cont_cur, "num", test))
        cases.append(drift_case(f"{test}: numeric, 12 values", few_ref, few_cur, "num", test))
        cases.append(drift_case(f"{test}: categorical", cat_ref, cat_cur, "cat", test))
    # Empty bins on one side (psi/kl_div replacement), tiny shares (<= 0.0001 rule).
    sparse_ref = normal(20000, 0, 1)
    sparse_cur = normal(300, 4, 0.5)
    for test in ["psi", "kl_div", "jensenshannon"]:
        cases.append(drift_case(f"{test}: empty bins", sparse_ref, sparse_cur, "num", test))
    cases.append(drift_case("ks: forced on 1500 rows", cont_ref[:1500], cont_cur, "num", "ks"))
    cases.append(drift_case("chisquare: forced on categorical 1500", [colours[i] for i in rng.randint(0, 4, 1500)],
                            [colours[i] for i in rng.randint(0, 4, 1500)], "cat", "chisquare"))
    return cases


def main():
    document = {
        "generated_by": "scripts/gen-drift-reference.py",
        "numpy": np.__version__,
        "scipy": __import__("scipy").__version__,
        "pandas": pd.__version__,
        "sturges": sturges_vectors(),
        "histograms": histogram_vectors(),
        "drift": drift_cases(),
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w") as handle:
        json.dump(document, handle, separators=(",", ":"))
        handle.write("\n")
    print(f"wrote {OUTPUT}: {len(document['sturges'])} edge vectors, {len(document['drift'])} drift cases")


if __name__ == "__main__":
    main()
