/**
 * @module scaffold/templates/common
 * Files every `lathe new` project gets, whatever its language: the data folders, ignore files, the
 * parameters, the expectation suite, the model-card template, a sample dataset and the README.
 * Layout after Cookiecutter Data Science: raw data is immutable, interim and processed are
 * pipeline outputs, models hold trained artefacts, reports hold metrics and figures.
 */

/** What a template needs to know about the project it writes. */
export interface ProjectNames {
  /** Human name, as given with `--name` (default: the folder's name). */
  readonly title: string;
  /** Importable module name: lower case, underscores (`churn_model`). */
  readonly module: string;
  /** Package or distribution name: lower case, hyphens (`churn-model`). */
  readonly packageName: string;
}

/** Relative path → file content. */
export type FileMap = Record<string, string>;

/** The raw dataset every project starts with, tracked by Lathe's data versioning. */
export const RAW_DATA = "data/raw/churn.csv";

/** Folders that exist empty in a fresh project; each gets a `.gitkeep`. */
export const KEPT_FOLDERS = [
  "data/raw",
  "data/interim",
  "data/processed",
  "data/external",
  "models",
  "notebooks",
  "reports/figures",
  "references",
  "docs",
] as const;

/**
 * A small customer-churn table: four numeric features and an `outcome` label (`churned`/`retained`) drawn
 * from a logistic model with a fixed seed, so every project starts with the same bytes.
 */
export function sampleChurnCsv(rows = 400): string {
  let state = 20_240_601;
  const next = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 4_294_967_296;
  };
  const lines = ["tenure_months,monthly_charges,support_calls,contract_years,outcome"];
  for (let index = 0; index < rows; index++) {
    const tenure = 1 + Math.floor(next() * 72);
    const charges = Math.round((20 + next() * 100) * 100) / 100;
    const calls = Math.floor(next() * next() * 10);
    const contract = [0, 1, 2][Math.floor(next() * 3)]!;
    const score = -1 - 0.08 * tenure + 0.04 * charges + 0.8 * calls - 1.5 * contract;
    const outcome = next() < 1 / (1 + Math.exp(-score)) ? "churned" : "retained";
    lines.push(`${tenure},${charges},${calls},${contract},${outcome}`);
  }
  return `${lines.join("\n")}\n`;
}

/** `params.yaml`: every value a stage reads, so `lathe repro` reruns what a change affects. */
export function paramsYaml(): string {
  return `prepare:
  test_fraction: 0.25
  seed: 42
featurize:
  charges_per_tenure: true
train:
  algo: rf
  n_estimators: 50
  max_depth: 6
  seed: 42
`;
}

/** The expectation suite for the raw data (Great Expectations names and arguments). */
export function validationSuiteYaml(): string {
  return `# Expectations on ${RAW_DATA}, checked before the pipeline runs.
name: churn_raw
expectations:
  - type: expect_table_columns_to_match_ordered_list
    kwargs:
      column_list: [tenure_months, monthly_charges, support_calls, contract_years, outcome]
  - type: expect_table_row_count_to_be_between
    kwargs: { min_value: 100 }
  - type: expect_column_values_to_not_be_null
    kwargs: { column: outcome }
  - type: expect_column_values_to_be_between
    kwargs: { column: tenure_months, min_value: 0, max_value: 600 }
  - type: expect_column_values_to_be_between
    kwargs: { column: monthly_charges, min_value: 0 }
  - type: expect_column_values_to_be_in_set
    kwargs: { column: outcome, value_set: [churned, retained] }
`;
}

/** A model-card template for `lathe card model <uri> --template references/model_card.md`. */
export function modelCardTemplate(names: ProjectNames): string {
  return `# {{title}}

{{description}}

This card belongs to the ${names.title} project. Fill in the sections Lathe cannot know
(intended use, limitations), then regenerate it for each registered version.

## Model details

| | |
|---|---|
| Registered model | {{name}} |
| Version | {{version}} |
| Aliases | {{aliases}} |
| Stage | {{stage}} |
| Source | \`{{source}}\` |
| Training run | {{run_id}} ({{run_name}}) |
| Algorithm | {{algo}} |
| Task | {{task}} |

## Intended use

{{intended_use}}

## Training data

{{training_data}}

## Parameters

{{parameters}}

## Evaluation

{{evaluation}}

## Limitations

{{limitations}}

## Environmental impact

{{environmental_impact}}
`;
}

/** `.gitignore`: data and models belong to Lathe's cache, not to git. */
export function gitignore(extra: readonly string[]): string {
  return `# Data and models are versioned by lathe (.dvc files); git keeps only the pointers.
/data/interim/*
/data/processed/*
/data/external/*
!/data/**/.gitkeep
/models/*
!/models/.gitkeep
/deploy/.env

# Tooling
.env
.DS_Store
${extra.join("\n")}
`;
}

/** `.dvcignore`: folders Lathe never needs to walk when computing hashes. */
export function dvcignore(extra: readonly string[]): string {
  return `# Paths listed here (gitignore syntax) are skipped when lathe or dvc walks the workspace.
.git/
notebooks/.ipynb_checkpoints/
${extra.join("\n")}
`;
}

/** Folder-role notes shared by both READMEs. */
export function layoutSection(module: string, sourceNote: string): string {
  return `## Layout

\`\`\`
├── Makefile             <- make help lists the targets
├── dvc.yaml             <- the pipeline: prepare → featurize → train → evaluate
├── params.yaml          <- every parameter the stages read
├── data
│   ├── raw              <- the original, immutable data (tracked with lathe add)
│   ├── interim          <- split data (pipeline output)
│   ├── processed        <- features the model trains on (pipeline output)
│   └── external         <- data from third parties
├── models               <- trained models (MLflow model directories)
├── notebooks            <- named <number>-<initials>-<description>, e.g. 1.0-abc-first-look
├── references           <- model-card template, expectation suite, data dictionaries
├── reports              <- metrics.json, confusion.json and figures/
├── docs                 <- project documentation
├── src/${module}
│   ├── data             <- prepare: split raw data
│   ├── features         <- featurize: derived columns
│   ├── models           <- train and evaluate
│   └── visualization    <- figures for reports/figures
└── tests
\`\`\`

${sourceNote}
`;
}

/** The parts of the README both templates share after the title. */
export function readmeWorkflow(): string {
  return `## Workflow

\`\`\`sh
make help                 # every target
make data                 # validate the raw data, then prepare and featurize it
make train                # run the whole pipeline (lathe repro)
lathe metrics show        # the evaluation metrics
lathe plots show          # the confusion matrix as HTML
\`\`\`

Data is versioned with Lathe (DVC's formats): \`lathe add data/raw/<file>\` tracks a new file,
\`lathe push\` / \`lathe pull\` move it to and from a remote. Runs log to the tracking server named
by \`MLFLOW_TRACKING_URI\` when it is set (start one with \`lathe server\`).

## Model card

\`lathe card model models:/<name>@champion --template references/model_card.md -o reports/model_card.md\`

## Deployment

\`\`\`sh
lathe deploy docker --model models/model   # Dockerfile serving the trained model
lathe deploy k8s --minikube --validate     # Deployment, Service, HPA, ConfigMap
lathe deploy ci --github                   # CI/CD workflow
\`\`\`
`;
}

/** The Makefile targets every template shares: validate and prepare the data, train, serve `served`, build the image. */
export function lifecycleTargets(names: ProjectNames, served: string): [string, string, string[]][] {
  return [
    [
      "data",
      "validate the raw data, then prepare and featurize it",
      ["lathe validate $(RAW) --suite $(SUITE)", "lathe repro featurize"],
    ],
    ["train", "run the whole pipeline: prepare, featurize, train, evaluate", ["lathe repro"]],
    ["serve", `serve ${served} on port 8080`, [`lathe serve models/model --name ${names.packageName}`]],
    [
      "docker",
      "build the serving image",
      [
        "lathe deploy docker --model models/model --out deploy --force",
        "docker build -f deploy/Dockerfile -t $(IMAGE) .",
      ],
    ],
  ];
}

/**
 * A self-documenting Makefile: the \`## text\` after a target is what \`make help\` prints.
 * Recipes are indented with tabs, as make requires.
 */
export function makefile(variables: readonly string[], targets: readonly [string, string, string[]][]): string {
  const rules = targets.map(
    ([target, help, recipe]) => `${target}: ## ${help}\n${recipe.map((line) => `\t${line}`).join("\n")}`,
  );
  return `${variables.join("\n")}

.DEFAULT_GOAL := help
.PHONY: ${targets.map(([target]) => target).join(" ")} help

${rules.join("\n\n")}

help: ## show this help
\t@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\\n", $$1, $$2}'
`;
}
