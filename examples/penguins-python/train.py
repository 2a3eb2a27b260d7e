"""Predicts a penguin's species from its measurements with scikit-learn's LogisticRegression.

The same model as examples/penguins/train.mjs, in Python. Needs scikit-learn (Debian's
python3-sklearn: scripts/install-python-example.sh). Under the mlops train action it follows
the MLOPS_* variables:

  MLOPS_PARAMS           the resolved params JSON file (else params.json beside this script)
  MLOPS_SEED             the seed of the train/test split (else params "seed")
  MLOPS_METRICS          where the metrics JSON goes (else metrics.json)
  MLOPS_METRICS_HISTORY  where the per-step training loss goes, as {step, name, value} lines
  MLOPS_MODEL_DIR        where the model goes (else model/): model.joblib

When mlflow is importable it also logs the run through MLflow, as MLflow's tutorials do
(start_run, log_param, log_metric with steps, log_artifact, mlflow.sklearn.log_model); the
train action points MLFLOW_TRACKING_URI at a file store and imports the run.

    python3 train.py [data.csv]
"""

import csv
import json
import os
import sys
import warnings

import joblib
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

try:
    import mlflow
    import mlflow.sklearn
except ImportError:  # MLflow is optional: MLOPS_METRICS alone is enough for the train action.
    mlflow = None

HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


def load_params():
    with open(os.environ.get("MLOPS_PARAMS") or os.path.join(HERE, "params.json"), encoding="utf-8") as f:
        params = {"C": 1.0, "max_iter": 100, "iterations_per_step": 5, "test_fraction": 0.25, "seed": 42}
        params.update(json.load(f))
    params["seed"] = int(os.environ.get("MLOPS_SEED") or params["seed"])
    return params


def load_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if all(r[c] not in ("", "NA") for c in FEATURES)]
    x = np.array([[float(r[c]) for c in FEATURES] for r in rows])
    y = np.array([r["species"] for r in rows])
    islands = np.array([r["island"] for r in rows])
    return x, y, islands


def train(params, x_train, y_train):
    """Fits in steps of a few solver iterations (warm start), recording the training loss per step."""
    model = make_pipeline(
        StandardScaler(),
        LogisticRegression(C=params["C"], max_iter=params["iterations_per_step"], warm_start=True),
    )
    history = []
    steps = max(1, -(-params["max_iter"] // params["iterations_per_step"]))
    with warnings.catch_warnings():
        # Each step stops after a few iterations on purpose: that is not a convergence problem.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for step in range(steps):
            model.fit(x_train, y_train)
            history.append((step, log_loss(y_train, model.predict_proba(x_train), labels=model.classes_)))
    return model, history


def evaluate(model, x_test, y_test, islands_test):
    predicted = model.predict(x_test)
    metrics = {
        "accuracy": accuracy_score(y_test, predicted),
        "f1_macro": f1_score(y_test, predicted, average="macro"),
        "log_loss": log_loss(y_test, model.predict_proba(x_test), labels=model.classes_),
        "accuracy_by_island": {},
    }
    for island in sorted(set(islands_test)):
        mask = islands_test == island
        metrics["accuracy_by_island"][island] = accuracy_score(y_test[mask], predicted[mask])
    return metrics


def main():
    params = load_params()
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "penguins", "data", "penguins.csv")
    metrics_file = os.environ.get("MLOPS_METRICS") or "metrics.json"
    model_dir = os.environ.get("MLOPS_MODEL_DIR") or "model"
    history_file = os.environ.get("MLOPS_METRICS_HISTORY")

    x, y, islands = load_rows(data)
    x_train, x_test, y_train, y_test, _, islands_test = train_test_split(
        x, y, islands, test_size=params["test_fraction"], random_state=params["seed"], stratify=y
    )
    model, history = train(params, x_train, y_train)
    metrics = evaluate(model, x_test, y_test, islands_test)

    os.makedirs(model_dir, exist_ok=True)
    joblib.dump(model, os.path.join(model_dir, "model.joblib"))
    with open(metrics_file, "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")
    if history_file:
        with open(history_file, "w", encoding="utf-8") as f:
            for step, value in history:
                f.write(json.dumps({"step": step, "name": "train_loss", "value": value}) + "\n")

    if mlflow is not None:
        with mlflow.start_run():
            for key, value in params.items():
                mlflow.log_param(key, value)
            for step, value in history:
                mlflow.log_metric("train_loss", value, step=step)
            for key in ("accuracy", "f1_macro", "log_loss"):
                mlflow.log_metric(key, metrics[key])
            mlflow.log_artifact(metrics_file)
            mlflow.sklearn.log_model(model, "model")

    print(f"accuracy {metrics['accuracy']:.4f}, f1_macro {metrics['f1_macro']:.4f} on {len(y_test)} test rows")


if __name__ == "__main__":
    main()
