#!/usr/bin/python3
"""Reference values for mlops validate-data, computed with pandas, numpy, dateutil and re.

Great Expectations cannot be installed here (no PyPI), so this script evaluates each expectation
with the same pandas calls GE's PandasExecutionEngine makes (great_expectations/expectations/
metrics/*, `_format_map_output` and `_mostly_success` in expectation.py), cited per expectation
below. The results are committed under test/fixtures/reference/ and compared by the tests;
CI does not need Python.

Run with Debian's python (`apt-get install -y python3-pandas python3-scipy`):
    /usr/bin/python3 scripts/gen-ge-reference.py
"""
import datetime
import json
import math
import os
import random
import re

import numpy as np
import pandas as pd
from dateutil import parser as dateutil_parser

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures")
PARTIAL = 20


def plain(value):
    """JSON-ready Python values: numpy scalars unwrapped, NaN as None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def mostly_success(considered, unexpected, mostly):
    # expectation.py: _mostly_success
    return (float(considered) - float(unexpected)) / float(considered) >= mostly


def map_output(element_count, nonnull_count, unexpected_index, unexpected_values, mostly, line_of):
    """ColumnMapExpectation._validate + _format_map_output (BASIC), plus the rows' lines."""
    unexpected_count = len(unexpected_index)
    if nonnull_count is None:
        success = True if element_count == 0 else mostly_success(element_count, unexpected_count, mostly)
    else:
        success = True if element_count == 0 or nonnull_count == 0 else mostly_success(nonnull_count, unexpected_count, mostly)
    result = {
        "element_count": element_count,
        "unexpected_count": unexpected_count,
        "unexpected_percent": None,
        "partial_unexpected_list": plain(list(unexpected_values[:PARTIAL])),
    }
    total = unexpected_count / element_count * 100 if element_count > 0 else None
    if nonnull_count is None:
        result["unexpected_percent"] = total
    else:
        missing = element_count - nonnull_count
        nonmissing = unexpected_count / nonnull_count * 100 if element_count > 0 and nonnull_count > 0 else None
        result.update(
            {
                "unexpected_percent": nonmissing,
                "missing_count": missing,
                "missing_percent": missing / element_count * 100 if element_count > 0 else None,
                "unexpected_percent_total": total,
                "unexpected_percent_nonmissing": nonmissing,
            }
        )
    return {"success": bool(success), "result": result, "lines": [line_of(i) for i in list(unexpected_index[:PARTIAL])]}


def between(value, kw):
    """_validate_metric_value_between, and column_values_between's is_between for one value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    low, high = kw.get("min_value"), kw.get("max_value")
    if low is not None and not (value > low if kw.get("strict_min") else value >= low):
        return False
    if high is not None and not (value < high if kw.get("strict_max") else value <= high):
        return False
    return True


NATIVE = {"none": (type(None),), "bool": (bool,), "int": (int,), "long": (int,), "float": (float,), "bytes": (bytes,),
          "complex": (complex,), "str": (str,), "string_types": (str,), "list": (list,), "dict": (dict,)}


def comp_types(type_):
    """expect_column_values_to_be_of_type._validate_pandas's comparison list (numpy types first)."""
    types = []
    try:
        types.append(np.dtype(type_).type)
    except TypeError:
        pass
    types.extend(NATIVE.get(type_.lower(), ()))
    return types


def evaluate(df, exp, line_of):
    t = exp["expectation_type"].lower()
    kw = exp["kwargs"]
    mostly = kw.get("mostly", 1)
    rows = len(df)
    if t == "expect_table_row_count_to_be_between":
        return {"success": between(rows, kw), "result": {"observed_value": rows}}
    if t == "expect_table_row_count_to_equal":
        return {"success": rows == kw["value"], "result": {"observed_value": rows}}
    if t == "expect_table_column_count_to_equal":
        return {"success": len(df.columns) == kw["value"], "result": {"observed_value": len(df.columns)}}
    if t == "expect_table_column_count_to_be_between":
        return {"success": between(len(df.columns), kw), "result": {"observed_value": len(df.columns)}}
    if t == "expect_table_columns_to_match_ordered_list":
        actual, expected = list(df.columns), kw["column_list"]
        if actual == expected:
            return {"success": True, "result": {"observed_value": actual}}
        n = max(len(actual), len(expected))
        mismatched = [
            {"Expected Column Position": i, "Expected": expected[i] if i < len(expected) else None, "Found": actual[i] if i < len(actual) else None}
            for i in range(n)
            if (expected[i] if i < len(expected) else None) != (actual[i] if i < len(actual) else None)
        ]
        return {"success": False, "result": {"observed_value": actual, "details": {"mismatched": mismatched}}}
    if t == "expect_table_columns_to_match_set":
        actual, expected = set(df.columns), set(kw["column_set"])
        observed = sorted(actual)
        if actual == expected:
            return {"success": True, "result": {"observed_value": observed}}
        mismatched = {}
        if actual - expected:
            mismatched["unexpected"] = sorted(actual - expected)
        if expected - actual:
            mismatched["missing"] = sorted(expected - actual)
        success = False if kw.get("exact_match", True) else not (expected - actual)
        return {"success": success, "result": {"observed_value": observed, "details": {"mismatched": mismatched}}}
    if t == "expect_column_to_exist":
        index = kw.get("column_index")
        if index:
            success = index < len(df.columns) and df.columns[index] == kw["column"]
        else:
            success = kw["column"] in df.columns
        return {"success": success, "result": {}}

    if t in ("expect_compound_columns_to_be_unique",):
        cols = kw["column_list"]
        data = df[cols]
        how = {"all_values_are_missing": "all", "any_value_is_missing": "any"}.get(kw.get("ignore_row_if", "all_values_are_missing"))
        domain = data.dropna(axis=0, how=how, subset=cols) if how else data
        bad = domain[domain.duplicated(keep=False)]
        values = [{c: row[c] for c in cols} for _, row in bad.iterrows()]
        return map_output(rows, len(domain), list(bad.index), values, mostly, line_of)
    if t in ("expect_column_pair_values_a_to_be_greater_than_b",):
        a, b = kw["column_A"], kw["column_B"]
        how = {"both_values_are_missing": "all", "either_value_is_missing": "any"}.get(kw.get("ignore_row_if", "both_values_are_missing"))
        domain = df[[a, b]].dropna(axis=0, how=how, subset=[a, b]) if how else df[[a, b]]
        ok = (domain[a] >= domain[b]) if kw.get("or_equal") else (domain[a] > domain[b])
        bad = domain[~ok]
        values = [[row[a], row[b]] for _, row in bad.iterrows()]
        return map_output(rows, len(domain), list(bad.index), values, mostly, line_of)

    column = kw["column"]
    if column not in df.columns:
        return {"success": False, "result": {}, "exception": True}
    series = df[column]
    nonnull = series[series.notnull()]

    if t == "expect_column_values_to_not_be_null":
        bad = series[series.isnull()]
        return map_output(rows, None, list(bad.index), [None] * len(bad), mostly, line_of)
    if t == "expect_column_values_to_be_null":
        bad = series[series.notnull()]
        return map_output(rows, None, list(bad.index), list(bad), mostly, line_of)

    def map_condition(condition):
        ok = nonnull.map(condition) if callable(condition) else condition
        bad = nonnull[~ok.astype(bool)]
        return map_output(rows, len(nonnull), list(bad.index), list(bad), mostly, line_of)

    try:
        if t == "expect_column_values_to_be_between":
            # column_values_between._pandas: str and non-str may not be compared.
            for bound in (kw.get("min_value"), kw.get("max_value")):
                if bound is not None and any(isinstance(v, str) != isinstance(bound, str) for v in nonnull):
                    raise TypeError("Column values, min_value, and max_value must either be None or of the same type.")
            return map_condition(lambda v: between(v, kw))
        if t == "expect_column_values_to_be_in_set":
            return map_condition(nonnull.isin(kw["value_set"]))
        if t == "expect_column_values_to_not_be_in_set":
            return map_condition(~nonnull.isin(kw["value_set"]))
        if t == "expect_column_values_to_match_regex":
            return map_condition(nonnull.astype(str).str.contains(kw["regex"]))
        if t == "expect_column_values_to_not_match_regex":
            return map_condition(~nonnull.astype(str).str.contains(kw["regex"]))
        if t in ("expect_column_values_to_match_regex_list", "expect_column_values_to_not_match_regex_list"):
            matches = pd.concat([nonnull.astype(str).str.contains(r) for r in kw["regex_list"]], axis=1, ignore_index=True)
            if t.startswith("expect_column_values_to_not"):
                return map_condition(~matches.any(axis="columns"))
            return map_condition(matches.all(axis="columns") if kw.get("match_on") == "all" else matches.any(axis="columns"))
        if t == "expect_column_values_to_be_unique":
            return map_condition(~nonnull.duplicated(keep=False))
        if t in ("expect_column_values_to_be_of_type", "expect_column_values_to_be_in_type_list"):
            names = [kw["type_"]] if t.endswith("of_type") else kw["type_list"]
            dtype = series.dtype
            object_map = dtype.type.__name__ == "object_" and (
                names[0] not in ("object", "object_", "O") if t.endswith("of_type") else True)
            if not object_map:
                success = any(dtype.type in comp_types(n) for n in names)
                return {"success": success, "result": {"observed_value": dtype.type.__name__}}
            types = tuple(x for n in names for x in comp_types(n))
            return map_condition(lambda v: isinstance(v, types))
        if t == "expect_column_value_lengths_to_be_between":
            return map_condition(nonnull.str.len().map(lambda n: between(n, kw)))
        if t == "expect_column_value_lengths_to_equal":
            return map_condition(nonnull.str.len() == kw["value"])
        if t == "expect_column_value_z_scores_to_be_less_than":
            z = (nonnull - nonnull.mean()) / nonnull.std()
            cond = z.abs() < abs(kw["threshold"]) if kw.get("double_sided", True) else z < kw["threshold"]
            return map_condition(cond)
        if t == "expect_column_values_to_be_json_parseable":
            def is_json(v):
                try:
                    json.loads(v)
                    return True
                except Exception:
                    return False
            return map_condition(is_json)
        if t == "expect_column_values_to_be_dateutil_parseable":
            def parseable(v):
                if type(v) != str:
                    raise TypeError("Values passed to expect_column_values_to_be_dateutil_parseable must be of type string.")
                try:
                    dateutil_parser.parse(v)
                    return True
                except (ValueError, OverflowError):
                    return False
            return map_condition(parseable)
        if t == "expect_column_values_to_match_strftime_format":
            def matches(v):
                try:
                    datetime.datetime.strptime(v, kw["strftime_format"])
                    return True
                except ValueError:
                    return False
            return map_condition(matches)

        # Column aggregates: column_min/max/mean/median/standard_deviation/sum/quantile_values, etc.
        if t in ("expect_column_min_to_be_between", "expect_column_max_to_be_between", "expect_column_mean_to_be_between",
                 "expect_column_median_to_be_between", "expect_column_stdev_to_be_between", "expect_column_sum_to_be_between"):
            stat = {"min": series.min, "max": series.max, "mean": series.mean, "median": series.median,
                    "stdev": series.std, "sum": series.sum}[t.split("_")[2]]
            observed = plain(stat())
            return {"success": between(observed, kw), "result": {"observed_value": observed}}
        if t == "expect_column_quantile_values_to_be_between":
            ranges = kw["quantile_ranges"]
            method = kw.get("allow_relative_error") or "nearest"
            values = plain(series.quantile(ranges["quantiles"], interpolation=method).tolist())
            details = [
                v is not None and (lo is None or lo <= v) and (hi is None or v <= hi)
                for v, (lo, hi) in zip(values, ranges["value_ranges"])
            ]
            return {"success": all(details), "result": {"observed_value": {"quantiles": ranges["quantiles"], "values": values},
                                                         "details": {"success_details": details}}}
        if t == "expect_column_unique_value_count_to_be_between":
            observed = int(series.nunique())
            return {"success": between(observed, kw), "result": {"observed_value": observed}}
        if t == "expect_column_proportion_of_unique_values_to_be_between":
            observed = series.nunique() / len(nonnull) if len(nonnull) else 0
            return {"success": between(observed, kw), "result": {"observed_value": observed}}
        if t.startswith("expect_column_distinct_values_to_"):
            counts = series.value_counts().sort_index()
            observed = set(counts.index)
            expected = set(kw["value_set"])
            success = {"be_in_set": observed <= expected, "contain_set": expected <= observed,
                       "equal_set": observed == expected}[t[len("expect_column_distinct_values_to_"):]]
            return {"success": success, "result": {"observed_value": plain(sorted(observed)),
                                                   "details": {"value_counts": [{"value": plain(v), "count": int(c)} for v, c in counts.items()]}}}
        if t == "expect_column_most_common_value_to_be_in_set":
            modes = plain(list(series.mode().values))
            hits = len(set(kw["value_set"]).intersection(modes))
            success = hits > 0 if kw.get("ties_okay") else (len(modes) == 1 and hits == 1)
            return {"success": success, "result": {"observed_value": modes}}
    except TypeError:
        return {"success": False, "result": {}, "exception": True}
    raise ValueError(f"no reference for {t}")


def suite_reference(data_file, suite_file, out_file, sep=","):
    df = pd.read_csv(os.path.join(FIXTURES, "data", data_file), sep=sep)
    with open(os.path.join(FIXTURES, "suites", suite_file)) as handle:
        suite = json.load(handle)
    # No quoted line breaks in these files: data row i (0-based) is on line i + 2.
    line_of = lambda index: int(index) + 2
    results = [evaluate(df, exp, line_of) for exp in suite["expectations"]]
    with open(os.path.join(FIXTURES, "reference", out_file), "w") as handle:
        json.dump({"data": data_file, "suite": suite_file, "pandas": pd.__version__, "results": plain(results)}, handle, indent=1)
        handle.write("\n")


def statistics_vectors():
    """Medians, quantiles (every interpolation) and sample standard deviations from numpy/pandas."""
    rng = random.Random(20240601)
    cases = []
    for n in (1, 2, 3, 4, 5, 7, 10, 25, 101, 1000):
        values = [round(rng.gauss(50, 20), rng.choice([0, 1, 3])) for _ in range(n)]
        series = pd.Series(values, dtype="float64")
        qs = [0, 0.01, 0.05, 0.1, 0.25, 0.333, 0.5, 0.56, 0.667, 0.75, 0.9, 0.95, 0.99, 1]
        cases.append({
            "values": values,
            "median": plain(series.median()),
            "std": plain(series.std()),
            "mean": plain(series.mean()),
            "sum": plain(series.sum()),
            "quantiles": qs,
            "by_method": {m: plain(series.quantile(qs, interpolation=m).tolist()) for m in ("nearest", "linear", "lower", "higher", "midpoint")},
        })
    return cases


DATEUTIL_STRINGS = [
    "2019-04-01", "2019-04-13", "01/01/2010", "1/2/2003", "2003-09-25T10:49:41", "2003-09-25T10:49", "2003-09-25T10",
    "20030925T104941", "20030925T1049", "20030925", "2003-09-25", "2003.09.25", "2003/09/25", "25-Sep-2003", "Sep-25-2003",
    "09-25-2003", "25-09-2003", "10-09-2003", "10-09-03", "10.09.2003", "10.09.03", "Thu Sep 25 10:36:28 BRST 2003",
    "Thu Sep 25 2003", "Sep 25 2003", "Sep 2003", "September 2003", "Sep", "2003", "10h36m28.5s", "10h36m28s", "10h36m",
    "10h", "10 h 36", "10:36:28", "10:36", "10pm", "10 pm", "12am", "13pm", "0:01:02 on July 4, 1976", "July 4, 1976 12:01:02 am",
    "Mon Jan  2 04:24:27 1995", "Tue Apr 4 00:22:12 PDT 1995", "04.04.95 00:22", "Jan 1 1999 11:23:34.578", "950404 122212",
    "3rd of May 2001", "5th of March 2001", "1st of May 2003", "13NOV2017", "December.0031.30", "2016-12-21 04.2h",
    "cat", "dog", "horse", "", " ", "Torgersen", "Biscoe", "MALE", "abc123", "2003-13-01", "2003-02-30", "2003-02-29", "2004-02-29",
    "31/12/2020", "12/31/2020", "31/31/2020", "99-01-01", "1999-01-01 25:00", "10:61", "1e5", "3.14", "42", "0", "7", "32", "100",
    "1000000", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00+01:00", "2020-01-01 00:00:00 -0500", "2020-01-01T00:00:00.123456",
    "Today", "now", "tomorrow", "noon", "2020-01-01 UTC", "2020-01-01 GMT+3", "1 2 3", "1 2 3 4", "Jan Feb", "Monday",
    "Mon, 06 Nov 1994 08:49:37 GMT", "2021-W01", "nan", "inf", "12:00 am", "12:00 pm", "0am", "-1", "2020/1/1", "1/1", "1-1",
    "Feb 30", "Feb 29 2021", "2021 Feb 29", "2024 Feb 29", "at 5pm", "5 of March", "March of 2020", "2020-01-01T", "T10:00",
]

STRPTIME_CASES = [
    ("2020-01-31", "%Y-%m-%d"), ("2020-1-5", "%Y-%m-%d"), ("2020-02-30", "%Y-%m-%d"), ("2021-02-29", "%Y-%m-%d"),
    ("2024-02-29", "%Y-%m-%d"), ("02-29", "%m-%d"), ("02-28", "%m-%d"), ("20-02-28", "%y-%m-%d"), ("2020-01-31 ", "%Y-%m-%d"),
    ("2020-01-31T10:00:00", "%Y-%m-%dT%H:%M:%S"), ("2020-01-31 10:00:00", "%Y-%m-%d %H:%M:%S"), ("2020-01-31   10:00:00", "%Y-%m-%d %H:%M:%S"),
    ("2020-01-31 24:00:00", "%Y-%m-%d %H:%M:%S"), ("2020-01-31 23:59:60", "%Y-%m-%d %H:%M:%S"), ("2020-01-31 23:59:61", "%Y-%m-%d %H:%M:%S"),
    ("2020-01-31 23:59:62", "%Y-%m-%d %H:%M:%S"), ("10:30 PM", "%I:%M %p"), ("10:30 pm", "%I:%M %p"), ("13:30 PM", "%I:%M %p"),
    ("Jan 05 2020", "%b %d %Y"), ("january 05 2020", "%B %d %Y"), ("Janu 05 2020", "%b %d %Y"), ("Sept 05 2020", "%b %d %Y"),
    ("Mon Jan 06 2020", "%a %b %d %Y"), ("Monday", "%A"), ("366", "%j"), ("2020 366", "%Y %j"), ("2021 366", "%Y %j"),
    ("2020-01-31 10:00:00.123", "%Y-%m-%d %H:%M:%S.%f"), ("2020-01-31 10:00:00.1234567", "%Y-%m-%d %H:%M:%S.%f"),
    ("2020-01-31 10:00:00+0100", "%Y-%m-%d %H:%M:%S%z"), ("2020-01-31 10:00:00+01:00", "%Y-%m-%d %H:%M:%S%z"),
    ("2020-01-31 10:00:00Z", "%Y-%m-%d %H:%M:%S%z"), ("20200131", "%Y%m%d"), ("2020131", "%Y%m%d"), ("0000-01-01", "%Y-%m-%d"),
    ("12/31/99", "%x"), ("23:59:59", "%X"), ("Mon Jan  6 10:00:00 2020", "%c"), ("2020-01-31 UTC", "%Y-%m-%d %Z"), ("100%", "%d%%"),
    (" 1/2/2020", "%m/%d/%Y"), ("1/2/2020", "%m/%d/%Y"), ("01/02/2020", "%d/%m/%Y"), ("abc", "%Y"), ("2020", "%Y"), ("202", "%Y"),
]

REGEX_CASES = [
    ("^a", "abc"), ("^a", "bac"), ("c$", "abc"), ("c$", "abc\n"), ("c\\Z", "abc\n"), ("\\Aab", "abc"), ("(?i)ABC", "xabcx"),
    ("(?P<x>a)(?P=x)", "baab"), ("(?P<x>a)(?P=x)", "bab"), ("[]a]", "]"), ("[^]a]", "]"), ("(?x) a b c # comment", "abc"),
    ("\\d{3}-\\d{4}", "call 555-1234 now"), ("^\\s*$", "   "), ("colou?r", "color"), ("a.c", "a\nc"), ("(?s)a.c", "a\nc"),
    ("^(?:Adelie|Gentoo)$", "Gentoo"), ("\\bcat\\b", "concat"), ("\\bcat\\b", "a cat!"), ("^[A-Z]{2,3}\\d+$", "AB12"),
    ("(?m)^b", "a\nb"), ("^b", "a\nb"), ("a(?#comment)b", "ab"), ("\\.5$", "39.5"), ("e", "Biscoe"),
]

FLOAT_TEXT = [0.1, 1.5, 39.1, 1e-5, 1.5e-7, 1e16, 1.2345e17, 123456789.123, 1e22, -0.00012, 2.0, 100.25]


def main():
    os.makedirs(os.path.join(FIXTURES, "reference"), exist_ok=True)
    suite_reference("penguins.csv", "penguins-ge0.json", "penguins-ge0.json")
    fixed_today = datetime.datetime(2024, 6, 15)
    vectors = {
        "statistics": statistics_vectors(),
        "dateutil": [
            {"text": s, "parseable": ok, "epoch_ms": epoch}
            for s in DATEUTIL_STRINGS
            for ok, epoch in [dateutil_result(s, fixed_today)]
        ],
        "strptime": [{"text": s, "format": f, "matches": strptime_ok(s, f)} for s, f in STRPTIME_CASES],
        "regex": [{"pattern": p, "text": s, "search": re.search(p, s) is not None} for p, s in REGEX_CASES],
        "float_text": [{"value": v, "text": str(v)} for v in FLOAT_TEXT],
        "dateutil_today": fixed_today.isoformat(),
    }
    with open(os.path.join(FIXTURES, "reference", "python-semantics.json"), "w") as handle:
        json.dump(plain(vectors), handle, indent=1)
        handle.write("\n")


def dateutil_result(text, today):
    try:
        parsed = dateutil_parser.parse(text, default=today)
    except (ValueError, OverflowError):
        return False, None
    if parsed.tzinfo is not None:
        epoch = parsed.timestamp() * 1000
    else:
        epoch = parsed.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000
    return True, round(epoch)


def strptime_ok(text, fmt):
    try:
        datetime.datetime.strptime(text, fmt)
        return True
    except ValueError:
        return False


if __name__ == "__main__":
    main()
