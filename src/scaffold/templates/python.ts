/**
 * @module scaffold/templates/python
 * The Python project template: pinned `requirements.txt` and `pyproject.toml`, stage modules run
 * with `python -m`, training with scikit-learn, the model exported to ONNX (so `lathe serve` serves
 * it) and logged with the MLflow client to `MLFLOW_TRACKING_URI`.
 */
import {
  dvcignore,
  type FileMap,
  gitignore,
  layoutSection,
  lifecycleTargets,
  makefile,
  type ProjectNames,
  RAW_DATA,
  readmeWorkflow,
} from "./common.js";
import { pythonSources } from "./python-src.js";

/** Exact versions the generated project pins (stated here, so generating needs no network). */
export const PYTHON_PINS = {
  mlflow: "2.22.0",
  "scikit-learn": "1.6.1",
  pandas: "2.2.3",
  numpy: "2.2.5",
  pyyaml: "6.0.2",
  matplotlib: "3.10.1",
  skl2onnx: "1.18.0",
  onnx: "1.17.0",
} as const;

/** Development tools, pinned too. */
export const PYTHON_DEV_PINS = { pytest: "8.3.5", ruff: "0.11.8" } as const;

const pinLines = (pins: Record<string, string>) => Object.entries(pins).map(([name, version]) => `${name}==${version}`);

function requirementsTxt(): string {
  return `# Pinned runtime and development dependencies; install with: pip install -r requirements.txt
${pinLines(PYTHON_PINS).join("\n")}
${pinLines(PYTHON_DEV_PINS).join("\n")}
-e .
`;
}

function pyprojectToml(names: ProjectNames): string {
  const quoted = (pins: Record<string, string>) => pinLines(pins).map((line) => `  "${line}",`);
  return `[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "${names.packageName}"
version = "0.1.0"
description = "${names.title}: a machine-learning project versioned, trained and served with Lathe"
requires-python = ">=3.10"
dependencies = [
${quoted(PYTHON_PINS).join("\n")}
]

[project.optional-dependencies]
dev = [
${quoted(PYTHON_DEV_PINS).join("\n")}
]

[tool.setuptools.packages.find]
where = ["src"]

[tool.ruff]
line-length = 100
src = ["src", "tests"]

[tool.ruff.lint]
select = ["E", "F", "I", "B", "UP"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["src"]
`;
}

/** `dvc.yaml` of the Python template: the same four stages, parameters read from params.yaml. */
export function pythonDvcYaml(module: string): string {
  const src = `src/${module}`;
  return `stages:
  prepare:
    cmd: python -m ${module}.data.prepare
    deps:
      - ${src}/data/prepare.py
      - ${RAW_DATA}
    params:
      - prepare
    outs:
      - data/interim/train.csv
      - data/interim/test.csv
  featurize:
    cmd: python -m ${module}.features.build_features
    deps:
      - ${src}/features/build_features.py
      - data/interim/train.csv
      - data/interim/test.csv
    params:
      - featurize
    outs:
      - data/processed/train.csv
      - data/processed/test.csv
  train:
    cmd: python -m ${module}.models.train
    deps:
      - ${src}/models/train.py
      - data/processed/train.csv
    params:
      - train
    outs:
      - models/model
      - models/model.pkl
      - reports/train.json:
          cache: false
  evaluate:
    cmd: python -m ${module}.models.evaluate
    deps:
      - ${src}/models/evaluate.py
      - ${src}/visualization/plots.py
      - models/model.pkl
      - data/processed/test.csv
    metrics:
      - reports/metrics.json:
          cache: false
    plots:
      - reports/confusion.json:
          cache: false
          template: confusion
          x: predicted
          y: actual
      - reports/figures/confusion.png:
          cache: false
`;
}

function pythonMakefile(names: ProjectNames): string {
  return makefile(
    [`IMAGE ?= ${names.packageName}:latest`, `RAW := ${RAW_DATA}`, "SUITE := references/expectations.yml"],
    [
      ["requirements", "install the pinned dependencies", ["pip install -r requirements.txt"]],
      ["lint", "check formatting and lint with ruff", ["ruff format --check src tests", "ruff check src tests"]],
      ["test", "run the unit tests", ["pytest"]],
      ...lifecycleTargets(names, "the trained ONNX model"),
    ],
  );
}

function pythonReadme(names: ProjectNames): string {
  return `# ${names.title}

A machine-learning project in Python whose data, pipeline, tracking and serving run on Lathe
(DVC's file formats, MLflow's API).

## Start

\`\`\`sh
python -m venv .venv && . .venv/bin/activate
make requirements
lathe server &                                  # tracking server on port 5000
export MLFLOW_TRACKING_URI=http://127.0.0.1:5000
make train
\`\`\`

${readmeWorkflow()}
${layoutSection(names.module, "Training code logs with the MLflow client to `MLFLOW_TRACKING_URI` and exports the model to ONNX\nso `lathe serve` can serve it.")}`;
}

/** Every file of the Python template except the shared ones. */
export function pythonTemplate(names: ProjectNames): FileMap {
  return {
    "requirements.txt": requirementsTxt(),
    "pyproject.toml": pyprojectToml(names),
    "dvc.yaml": pythonDvcYaml(names.module),
    Makefile: pythonMakefile(names),
    "README.md": pythonReadme(names),
    ".gitignore": gitignore(["__pycache__/", "*.pyc", ".venv/", ".pytest_cache/", ".ruff_cache/", "*.egg-info/"]),
    ".dvcignore": dvcignore([".venv/", "**/__pycache__/"]),
    ...pythonSources(names),
  };
}
