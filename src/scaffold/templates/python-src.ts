/**
 * @module scaffold/templates/python-src
 * The stage modules of the Python template: paths and parameters in `config.py`, one module per
 * stage (`python -m <module>.data.prepare`, …), training with scikit-learn exported to ONNX and
 * logged with the MLflow client, and a pytest test.
 */
import { type FileMap, type ProjectNames, RAW_DATA } from "./common.js";

const CONFIG = `"""Paths and parameters shared by the stages."""
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
RAW_DATA = PROJECT_ROOT / "${RAW_DATA}"
INTERIM_DIR = DATA_DIR / "interim"
PROCESSED_DIR = DATA_DIR / "processed"
MODELS_DIR = PROJECT_ROOT / "models"
REPORTS_DIR = PROJECT_ROOT / "reports"
FIGURES_DIR = REPORTS_DIR / "figures"
LABEL = "outcome"


def load_params(section: str) -> dict:
    """One section of params.yaml, the file lathe repro tracks for each stage."""
    with open(PROJECT_ROOT / "params.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)[section]
`;

const PREPARE = `"""Stage prepare: split the raw data into train and test sets."""
import pandas as pd
from sklearn.model_selection import train_test_split

from MODULE.config import INTERIM_DIR, LABEL, RAW_DATA, load_params


def main() -> None:
    params = load_params("prepare")
    frame = pd.read_csv(RAW_DATA)
    train, test = train_test_split(
        frame, test_size=params["test_fraction"], random_state=params["seed"], stratify=frame[LABEL]
    )
    INTERIM_DIR.mkdir(parents=True, exist_ok=True)
    train.to_csv(INTERIM_DIR / "train.csv", index=False)
    test.to_csv(INTERIM_DIR / "test.csv", index=False)
    print(f"prepare: {len(train)} train rows, {len(test)} test rows")


if __name__ == "__main__":
    main()
`;

const BUILD_FEATURES = `"""Stage featurize: derived columns, as pure functions the tests can call."""
import pandas as pd

from MODULE.config import INTERIM_DIR, LABEL, PROCESSED_DIR, load_params


def add_features(frame: pd.DataFrame, charges_per_tenure: bool) -> pd.DataFrame:
    """The original columns, then the derived ones, then the label last."""
    features = frame.drop(columns=[LABEL])
    if charges_per_tenure:
        features["charges_per_tenure"] = (
            frame["monthly_charges"] / frame["tenure_months"].clip(lower=1)
        ).round(4)
    features[LABEL] = frame[LABEL]
    return features


def main() -> None:
    params = load_params("featurize")
    PROCESSED_DIR.mkdir(parents=True, exist_ok=True)
    for split in ("train", "test"):
        frame = pd.read_csv(INTERIM_DIR / f"{split}.csv")
        add_features(frame, params["charges_per_tenure"]).to_csv(
            PROCESSED_DIR / f"{split}.csv", index=False
        )
    print("featurize: wrote data/processed/train.csv and data/processed/test.csv")


if __name__ == "__main__":
    main()
`;

const TRAIN = `"""Stage train: fit a random forest and log it with the MLflow client.

The model is exported to ONNX (lathe serve runs ONNX models) and saved to models/model as an
MLflow model directory. With MLFLOW_TRACKING_URI set (e.g. a lathe server), parameters, metrics
and the model are logged as a run and the model is registered.
"""
import json
import os
import shutil

import mlflow
import mlflow.onnx
import pandas as pd
from mlflow.models import infer_signature
from skl2onnx import to_onnx
from sklearn.ensemble import RandomForestClassifier

from MODULE.config import LABEL, MODELS_DIR, PROCESSED_DIR, REPORTS_DIR, load_params

MODEL_NAME = "PACKAGE"


def main() -> None:
    params = load_params("train")
    train = pd.read_csv(PROCESSED_DIR / "train.csv")
    features = train.drop(columns=[LABEL]).astype("float32")
    model = RandomForestClassifier(
        n_estimators=params["n_estimators"],
        max_depth=params["max_depth"],
        random_state=params["seed"],
    ).fit(features, train[LABEL])
    onnx_model = to_onnx(model, features.to_numpy()[:1], options={id(model): {"zipmap": False}})
    signature = infer_signature(features, model.predict(features))

    target = MODELS_DIR / "model"
    shutil.rmtree(target, ignore_errors=True)
    mlflow.onnx.save_model(onnx_model, str(target), signature=signature)
    pd.to_pickle(model, MODELS_DIR / "model.pkl")

    run_id = None
    if os.environ.get("MLFLOW_TRACKING_URI"):
        mlflow.set_experiment(MODEL_NAME)
        with mlflow.start_run(run_name=f"train-{params['n_estimators']}") as run:
            mlflow.log_params(params)
            mlflow.onnx.log_model(
                onnx_model, "model", signature=signature, registered_model_name=MODEL_NAME
            )
            run_id = run.info.run_id
    REPORTS_DIR.mkdir(parents=True, exist_ok=True)
    (REPORTS_DIR / "train.json").write_text(json.dumps({"run_id": run_id}, indent=2) + "\\n")
    print(f"train: fitted on {len(train)} rows; run {run_id}")


if __name__ == "__main__":
    main()
`;

const EVALUATE = `"""Stage evaluate: metrics on the test set, a confusion plot, and the same logged to MLflow."""
import json
import os

import mlflow
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from MODULE.config import FIGURES_DIR, LABEL, MODELS_DIR, PROCESSED_DIR, REPORTS_DIR
from MODULE.visualization.plots import save_confusion_figure


def main() -> None:
    test = pd.read_csv(PROCESSED_DIR / "test.csv")
    model = pd.read_pickle(MODELS_DIR / "model.pkl")
    features = test.drop(columns=[LABEL]).astype("float32")
    predicted = model.predict(features)
    positive = list(model.classes_).index("churned")
    metrics = {
        "accuracy": accuracy_score(test[LABEL], predicted),
        "f1": f1_score(test[LABEL], predicted, pos_label="churned"),
        "roc_auc": roc_auc_score(test[LABEL] == "churned", model.predict_proba(features)[:, positive]),
    }
    (REPORTS_DIR / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\\n")
    rows = [{"actual": a, "predicted": p} for a, p in zip(test[LABEL], predicted, strict=True)]
    (REPORTS_DIR / "confusion.json").write_text(json.dumps(rows, indent=2) + "\\n")
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    save_confusion_figure(test[LABEL], predicted, FIGURES_DIR / "confusion.png")

    run_id = json.loads((REPORTS_DIR / "train.json").read_text()).get("run_id")
    if os.environ.get("MLFLOW_TRACKING_URI") and run_id:
        with mlflow.start_run(run_id=run_id):
            mlflow.log_metrics(metrics)
            mlflow.log_artifact(str(FIGURES_DIR / "confusion.png"), "figures")
    print(f"evaluate: {metrics}")


if __name__ == "__main__":
    main()
`;

const PLOTS = `"""Figures for reports/figures."""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay  # noqa: E402


def save_confusion_figure(actual, predicted, path: Path) -> None:
    display = ConfusionMatrixDisplay.from_predictions(actual, predicted)
    display.figure_.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(display.figure_)
`;

const TEST_FEATURES = `import pandas as pd

from MODULE.features.build_features import add_features


def test_label_stays_last():
    frame = pd.DataFrame(
        {"tenure_months": [0, 10], "monthly_charges": [50.0, 20.0], "support_calls": [1, 0],
         "contract_years": [0, 1], "outcome": ["churned", "retained"]}
    )
    result = add_features(frame, charges_per_tenure=True)
    assert list(result.columns)[-1] == "outcome"
    assert result["charges_per_tenure"].tolist() == [50.0, 2.0]
`;

/** The `src/` and `tests/` files of the Python template. */
export function pythonSources(names: ProjectNames): FileMap {
  const src = `src/${names.module}`;
  const fill = (text: string) => text.replaceAll("MODULE", names.module).replaceAll("PACKAGE", names.packageName);
  return {
    [`${src}/__init__.py`]: `"""${names.title}."""\n`,
    [`${src}/config.py`]: CONFIG,
    [`${src}/data/__init__.py`]: "",
    [`${src}/data/prepare.py`]: fill(PREPARE),
    [`${src}/features/__init__.py`]: "",
    [`${src}/features/build_features.py`]: fill(BUILD_FEATURES),
    [`${src}/models/__init__.py`]: "",
    [`${src}/models/train.py`]: fill(TRAIN),
    [`${src}/models/evaluate.py`]: fill(EVALUATE),
    [`${src}/visualization/__init__.py`]: "",
    [`${src}/visualization/plots.py`]: PLOTS,
    "tests/test_features.py": fill(TEST_FEATURES),
  };
}
