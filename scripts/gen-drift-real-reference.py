#!/usr/bin/python3
"""Real-data reference for mlops drift-check: Evidently 0.7's default column drift, on real weather.

Evidently cannot be installed here (no PyPI), so this script applies Evidently 0.7's default rules
with the same SciPy/numpy/pandas calls Evidently makes, each step citing the Evidently function it
copies (paths under src/evidently/legacy/calculations/ of evidentlyai/evidently, v0.7.21). The
fixtures it writes (test/fixtures/data/drift/*.csv) and the reference
(test/fixtures/reference/drift-real.json) are committed; test/integration/drift-real-data.test.ts
compares drift-check with them and CI does not need Python.

Run with Debian's python (numpy 1.24, scipy 1.10.1, pandas 1.5.3:
`apt-get install -y python3-pandas python3-scipy`), from the repository root:

    /usr/bin/python3 scripts/gen-drift-real-reference.py [VEGA_DATA_DIR]

VEGA_DATA_DIR holds `seattle-weather.csv` and `weather.csv` of the npm package vega-datasets 3.2.1
(`npm pack vega-datasets@3.2.1`, then its data/ folder; default /work/vega-data). Their sha256 is
checked, so the fixtures are always cut from the same bytes (test/fixtures/data/SOURCES.md).
"""
import hashlib
import json
import math
import os
import sys

import numpy as np
import pandas as pd
import scipy
from scipy import stats
from scipy.spatial import distance

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_OUT = os.path.join(ROOT, "test", "fixtures", "data", "drift")
REFERENCE_OUT = os.path.join(ROOT, "test", "fixtures", "reference", "drift-real.json")
EVIDENTLY = "evidentlyai/evidently v0.7.21 (commit a4aa4c2b3), src/evidently/legacy/calculations"

SOURCES = {
    "seattle-weather.csv": "0845078a290b48e3149ab8639966824110a251db4e06fc144c06ebb534af23be",
    "weather.csv": "27219f1ca8dbd94c9b6f4b9f4f52ab2f1eb33dfdcf719cd9fc6481ed50b74549",
}

# The columns of every fixture, in this order: the real measurements, then two derived from them.
MEASURED = ["precipitation", "temp_max", "temp_min", "wind", "weather"]
DERIVED = ["rained", "wind_bucket"]

# Evidently's default thresholds (the StatTest(...) declarations in stattests/*.py).
DEFAULT_THRESHOLD = {"ks": 0.05, "chisquare": 0.05, "z": 0.05, "wasserstein": 0.1, "jensenshannon": 0.1,
                     "psi": 0.1, "kl_div": 0.1}
DRIFT_SHARE = 0.5  # DataDriftOptions.drift_share, used by data_drift.get_dataset_drift


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def derive(frame):
    """The fixture columns: the measurements, plus `rained` (1 when precipitation > 0, else 0: an
    integer column with two distinct values, hence categorical for Evidently, and the Z test on small
    references) and `wind_bucket` (the wind's 2 m/s bucket, 0.0 to 8.0, written as floats: a numeric
    column with 3 to 5 distinct values, hence chi-square on small references)."""
    out = frame[MEASURED].copy()
    out["rained"] = (frame["precipitation"] > 0).astype(int)
    out["wind_bucket"] = np.minimum(np.floor(frame["wind"] / 2) * 2, 8).astype(float)
    return out


def write_fixtures(source_dir):
    """Cuts the reference/current files from the vega-datasets CSVs (dates and location dropped:
    they are what splits the pairs, not features)."""
    for name, digest in SOURCES.items():
        actual = sha256(os.path.join(source_dir, name))
        if actual != digest:
            sys.exit(f"{source_dir}/{name}: sha256 {actual}, expected {digest} (vega-datasets 3.2.1)")
    os.makedirs(DATA_OUT, exist_ok=True)
    seattle = pd.read_csv(os.path.join(source_dir, "seattle-weather.csv"))
    for year in ("2012", "2013", "2015"):
        rows = seattle[seattle["date"].str.startswith(year)]
        derive(rows).to_csv(os.path.join(DATA_OUT, f"seattle-{year}.csv"), index=False)
    weather = pd.read_csv(os.path.join(source_dir, "weather.csv"))
    for location, file in (("Seattle", "weather-seattle.csv"), ("New York", "weather-new-york.csv")):
        derive(weather[weather["location"] == location]).to_csv(os.path.join(DATA_OUT, file), index=False)


# ---- Evidently's steps, copied call for call ------------------------------------------------------


def column_type(reference, current):
    """legacy/utils/data_preprocessing.py `_get_column_type` for a feature (no column mapping, not a
    target or prediction), on the raw columns: the dtype is the current's (the reference's when one
    of them is not a number kind); an integer column with at most NUMBER_UNIQUE_AS_CATEGORICAL (5)
    distinct values (the reference's count, else the current's) is Categorical, other numbers
    Numerical, bool Categorical, anything else (our strings) Categorical."""
    ref_type = reference.dtype
    cur_type = current.dtype
    if ref_type != cur_type:
        available_set = ["i", "u", "f", "c", "m", "M"]
        if ref_type.kind not in available_set or cur_type.kind not in available_set:
            cur_type = ref_type
    nunique = reference.nunique() or current.nunique()
    if pd.api.types.is_integer_dtype(cur_type):
        return "categorical" if nunique <= 5 else "numeric"
    if pd.api.types.is_numeric_dtype(cur_type):
        return "categorical" if cur_type == bool else "numeric"
    return "categorical"


def clean(series):
    """data_drift.py `get_one_column_drift`: `column.replace([-np.inf, np.inf], np.nan).dropna()`."""
    return series.replace([-np.inf, np.inf], np.nan).dropna()


def default_test(reference, current, feature_type):
    """stattests/registry.py `_get_default_stattest` (reference and current already cleaned)."""
    n_values = pd.concat([reference, current]).nunique()
    if reference.shape[0] <= 1000:
        if feature_type == "numeric":
            if n_values <= 5:
                return "chisquare" if n_values > 2 else "z"
            return "ks"
        return "chisquare" if n_values > 2 else "z"
    if feature_type == "numeric":
        return "jensenshannon" if n_values <= 5 else "wasserstein"
    return "jensenshannon"


def unique_values(current, reference):
    """stattests/utils.py `get_unique_not_nan_values_list_from_series`."""
    return list(set(reference.dropna().unique()) | set(current.dropna().unique()))


def ks(reference, current, threshold):
    """stattests/ks_stattest.py `_ks_stat_test`: `ks_2samp(reference, current)` (method 'auto'), p <= threshold."""
    result = stats.ks_2samp(reference, current)
    p_value = result[1]
    return {"statistic": result[0], "p_value": p_value, "value": p_value, "drift": bool(p_value <= threshold)}


def chisquare(reference, current, threshold):
    """stattests/chisquare_stattest.py `_chi_stat_test`: reference counts scaled to the current size,
    over the union of values; p < threshold."""
    keys = unique_values(current, reference)
    ref_feature_dict = {**dict.fromkeys(keys, 0), **dict(reference.value_counts())}
    current_feature_dict = {**dict.fromkeys(keys, 0), **dict(current.value_counts())}
    k_norm = current.shape[0] / reference.shape[0]
    f_exp = [ref_feature_dict[key] * k_norm for key in keys]
    f_obs = [current_feature_dict[key] for key in keys]
    result = stats.chisquare(f_obs, f_exp)
    p_value = result[1]
    return {"statistic": result[0], "p_value": p_value, "value": p_value, "drift": bool(p_value < threshold)}


def z_stat(ref, curr):
    """stattests/z_stattest.py `proportions_diff_z_stat_ind`."""
    n1 = len(ref)
    n2 = len(curr)
    p1 = float(sum(ref)) / n1
    p2 = float(sum(curr)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    return (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))


def z(reference, current, threshold):
    """stattests/z_stattest.py `_z_stat_test`: the first of the sorted values is 0, the other 1;
    two-sided p = 2 * (1 - norm.cdf(|z|)) (`proportions_diff_z_test`, not norm.sf); p < threshold."""
    if reference.nunique() == 1 and current.nunique() == 1 and reference.unique()[0] == current.unique()[0]:
        return {"statistic": None, "p_value": 1, "value": 1, "drift": bool(1 < threshold)}
    keys = sorted(unique_values(current, reference))
    statistic = z_stat(
        reference.apply(lambda x, key=keys[0]: 0 if x == key else 1),
        current.apply(lambda x, key=keys[0]: 0 if x == key else 1),
    )
    p_value = 2 * (1 - stats.norm.cdf(np.abs(statistic)))
    return {"statistic": statistic, "p_value": p_value, "value": p_value, "drift": bool(p_value < threshold)}


def wasserstein(reference, current, threshold):
    """stattests/wasserstein_distance_norm.py `_wasserstein_distance_norm`: Wasserstein-1 over
    max(population std of the reference, 0.001); value >= threshold."""
    norm = max(float(np.std(reference)), 0.001)
    value = stats.wasserstein_distance(reference, current) / norm
    return {"statistic": value, "value": value, "drift": bool(value >= threshold)}


def binned(reference, current, feature_type, feel_zeroes):
    """stattests/utils.py `get_binned_data`: Sturges bins over both samples for a numeric column with
    more than 20 distinct reference values, else shares per value; `feel_zeroes` replaces empty shares
    (psi and kl_div do, jensenshannon does not)."""
    n_vals = reference.nunique()
    if feature_type == "numeric" and n_vals > 20:
        combined = np.asarray(pd.concat([reference, current], axis=0).values)
        bins = np.histogram_bin_edges(combined, bins="sturges")
        reference_percents = np.histogram(reference, bins)[0] / len(reference)
        current_percents = np.histogram(current, bins)[0] / len(current)
    else:
        keys = unique_values(current, reference)
        ref_feature_dict = {**dict.fromkeys(keys, 0), **dict(reference.value_counts())}
        current_feature_dict = {**dict.fromkeys(keys, 0), **dict(current.value_counts())}
        reference_percents = np.array([ref_feature_dict[key] / len(reference) for key in keys])
        current_percents = np.array([current_feature_dict[key] / len(current) for key in keys])
    if feel_zeroes:
        np.place(
            reference_percents,
            reference_percents == 0,
            min(reference_percents[reference_percents != 0]) / 10**6
            if min(reference_percents[reference_percents != 0]) <= 0.0001
            else 0.0001,
        )
        np.place(
            current_percents,
            current_percents == 0,
            min(current_percents[current_percents != 0]) / 10**6
            if min(current_percents[current_percents != 0]) <= 0.0001
            else 0.0001,
        )
    return reference_percents, current_percents


def jensenshannon(reference, current, threshold, feature_type):
    """stattests/jensenshannon.py `_jensenshannon`: `distance.jensenshannon(ref, cur, None)` (natural
    log) on unfilled shares; value >= threshold."""
    reference_percents, current_percents = binned(reference, current, feature_type, False)
    value = distance.jensenshannon(reference_percents, current_percents, None)
    return {"statistic": value, "value": value, "drift": bool(value >= threshold)}


def psi(reference, current, threshold, feature_type):
    """stattests/psi.py `_psi`: sum((ref - cur) * ln(ref / cur)) on filled shares; value >= threshold."""
    reference_percents, current_percents = binned(reference, current, feature_type, True)
    value = np.sum((reference_percents - current_percents) * np.log(reference_percents / current_percents))
    return {"statistic": value, "value": value, "drift": bool(value >= threshold)}


def kl_div(reference, current, threshold, feature_type):
    """stattests/kl_div.py `_kl_div`: `stats.entropy(ref, cur)` on filled shares; value >= threshold."""
    reference_percents, current_percents = binned(reference, current, feature_type, True)
    value = stats.entropy(reference_percents, current_percents)
    return {"statistic": value, "value": value, "drift": bool(value >= threshold)}


def run_test(test, reference, current, feature_type):
    threshold = DEFAULT_THRESHOLD[test]
    if test == "ks":
        result = ks(reference, current, threshold)
    elif test == "chisquare":
        result = chisquare(reference, current, threshold)
    elif test == "z":
        result = z(reference, current, threshold)
    elif test == "wasserstein":
        result = wasserstein(reference, current, threshold)
    elif test == "jensenshannon":
        result = jensenshannon(reference, current, threshold, feature_type)
    elif test == "psi":
        result = psi(reference, current, threshold, feature_type)
    else:
        result = kl_div(reference, current, threshold, feature_type)
    result["threshold"] = threshold
    return result


def column_drift(name, reference_frame, current_frame, test=None):
    """data_drift.py `get_one_column_drift`: clean both columns, pick the default test, run it."""
    feature_type = column_type(reference_frame[name], current_frame[name])
    reference = clean(reference_frame[name])
    current = clean(current_frame[name])
    chosen = test or default_test(reference, current, feature_type)
    result = run_test(chosen, reference, current, feature_type)
    row = {"column": name, "type": feature_type, "test": chosen}
    row.update(result)
    return row


def pair_reference(name, reference_file, current_file, note):
    reference_frame = pd.read_csv(os.path.join(DATA_OUT, reference_file))
    current_frame = pd.read_csv(os.path.join(DATA_OUT, current_file))
    columns = [column_drift(column, reference_frame, current_frame) for column in reference_frame.columns]
    # data_drift.py `get_dataset_drift`: share = drifted / columns; drift when share >= drift_share.
    drifted = sum(1 for c in columns if c["drift"])
    share = drifted / len(columns)
    # Tests a user picks in the config, for every column: the binning paths the defaults never take
    # here (Sturges bins for numeric columns with more than 20 distinct reference values, filled zero
    # shares) and the distances on small references.
    overrides = [
        column_drift(column, reference_frame, current_frame, test)
        for test in ("psi", "kl_div", "jensenshannon", "wasserstein")
        for column in reference_frame.columns
        if test != "wasserstein" or column_type(reference_frame[column], current_frame[column]) == "numeric"
    ]
    return {
        "name": name,
        "note": note,
        "reference": f"test/fixtures/data/drift/{reference_file}",
        "current": f"test/fixtures/data/drift/{current_file}",
        "reference_rows": len(reference_frame),
        "current_rows": len(current_frame),
        "drift": bool(share >= DRIFT_SHARE),
        "share": share,
        "drift_share": DRIFT_SHARE,
        "drifted_columns": [c["column"] for c in columns if c["drift"]],
        "columns": columns,
        "overrides": overrides,
    }


def plain(value):
    """JSON-ready values: numpy scalars unwrapped; a non-finite float would be a bug here."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"non-finite value {value}")
    return value


def main():
    source_dir = sys.argv[1] if len(sys.argv) > 1 else "/work/vega-data"
    write_fixtures(source_dir)
    pairs = [
        pair_reference("seattle-2012-vs-2015", "seattle-2012.csv", "seattle-2015.csv",
                       "366 reference rows (<= 1000): ks, chisquare, z; 2015, a warm year with no snow"),
        pair_reference("seattle-2012-vs-2013", "seattle-2012.csv", "seattle-2013.csv",
                       "366 reference rows (<= 1000): ks, chisquare, z; the next year (wetter, windier: more columns drift)"),
        pair_reference("seattle-vs-new-york", "weather-seattle.csv", "weather-new-york.csv",
                       "1461 reference rows (> 1000): wasserstein, jensenshannon"),
    ]
    document = {
        "generator": "scripts/gen-drift-real-reference.py",
        "rules": EVIDENTLY,
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "pandas": pd.__version__},
        "pairs": pairs,
    }
    with open(REFERENCE_OUT, "w") as handle:
        json.dump(plain(document), handle, indent=1)
        handle.write("\n")
    for pair in pairs:
        print(f"{pair['name']}: share {pair['share']:.3f}, drifted {pair['drifted_columns']}")
        for c in pair["columns"]:
            print(f"  {c['column']:<14} {c['type']} {c['test']:<13} value {c['value']:.6g} drift {c['drift']}")


if __name__ == "__main__":
    main()
