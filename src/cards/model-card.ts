/**
 * @module cards/model-card
 * Hugging Face model cards from the registry: YAML front matter (license, tags, datasets, metrics,
 * and `model-index` with the evaluation results of the run that produced the version) and Markdown
 * sections (details, intended use, training data, evaluation, limitations, environmental impact).
 * The Markdown comes from a template with `{{name}}` placeholders, so teams can edit the layout.
 */
import { stringify } from "yaml";
import { invalidParameter } from "../core/errors.js";
import type { ModelVersion, RegisteredModel } from "../registry/entities.js";
import type { ResolvedModelUri } from "../registry/uri.js";
import type { Run } from "../tracking/entities.js";

/** Metrics that describe the evaluation (others, like energy, go elsewhere in the card). */
const EVALUATION_METRICS = new Set([
  "accuracy",
  "precision_macro",
  "recall_macro",
  "f1_macro",
  "precision_weighted",
  "recall_weighted",
  "f1_weighted",
  "log_loss",
  "roc_auc",
  "mae",
  "rmse",
  "r2",
]);

/** The default Markdown template; `{{placeholders}}` are filled from the registry and the run. */
export const MODEL_CARD_TEMPLATE = `# {{title}}

{{description}}

## Model details

| | |
|---|---|
| Registered model | {{name}} |
| Version | {{version}} |
| Aliases | {{aliases}} |
| Stage | {{stage}} |
| Source | \`{{source}}\` |
| Run | {{run_id}} ({{run_name}}) |
| Algorithm | {{algo}} |
| Task | {{task}} |

## Intended use

{{intended_use}}

## Training data

{{training_data}}

## Parameters

{{parameters}}

## Evaluation results

{{evaluation}}

## Limitations

{{limitations}}

## Environmental impact

{{environmental_impact}}
`;

/**
 * The reads a model card needs. `LatheClient` is one (the CLI, over REST); the server builds one
 * over its own stores for the web UI.
 */
export interface ModelCardSource {
  resolveModelUri(uri: string): Promise<Pick<ResolvedModelUri, "name" | "version">>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  getRun(runId: string): Promise<Run>;
}

export interface ModelCardOptions {
  /** License identifier for the front matter (default "other"). */
  license?: string;
  /** A Markdown template with `{{placeholders}}` (default {@link MODEL_CARD_TEMPLATE}). */
  template?: string;
  intendedUse?: string;
  limitations?: string;
}

function table(rows: readonly [string, string | number][], header: [string, string]): string {
  if (rows.length === 0) return "None recorded.";
  return [`| ${header[0]} | ${header[1]} |`, "|---|---|", ...rows.map(([key, value]) => `| ${key} | ${value} |`)].join(
    "\n",
  );
}

function round(value: number): number {
  return Number(value.toPrecision(6));
}

/** Fills `{{name}}` placeholders; an unknown placeholder is an error naming it. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, name: string) => {
    if (!(name in values))
      throw invalidParameter(
        `The card template uses {{${name}}}, which Lathe does not fill. Known placeholders: ${Object.keys(values).join(", ")}.`,
      );
    return values[name]!;
  });
}

/** Builds the card of the model version `uri` names (`models:/name/3`, `models:/name@alias`, …). */
export async function modelCard(client: ModelCardSource, uri: string, options: ModelCardOptions = {}): Promise<string> {
  const resolved = await client.resolveModelUri(uri);
  if (!resolved.name || !resolved.version)
    throw invalidParameter(
      `'${uri}' does not name a registered model version. Use models:/<name>/<version> or models:/<name>@<alias>.`,
    );
  const version = await client.getModelVersion(resolved.name, resolved.version);
  const registered = await client.getRegisteredModel(resolved.name);
  const run: Run | undefined = version.run_id ? await client.getRun(version.run_id) : undefined;
  const params = Object.fromEntries((run?.data.params ?? []).map((param) => [param.key, param.value]));
  const metrics = Object.fromEntries((run?.data.metrics ?? []).map((metric) => [metric.key, metric.value]));
  const tags = Object.fromEntries((run?.data.tags ?? []).map((tag) => [tag.key, tag.value]));
  const datasets = (run?.inputs.dataset_inputs ?? []).map((input) => input.dataset);
  const task = params.task === "regression" ? "tabular-regression" : "tabular-classification";
  const evaluation = Object.entries(metrics).filter(([key]) => EVALUATION_METRICS.has(key));
  const aliases = (registered.aliases ?? [])
    .filter((alias) => alias.version === resolved.version)
    .map((alias) => alias.alias);

  const frontMatter = {
    license: options.license ?? "other",
    library_name: "lathe",
    tags: ["lathe", "onnx", task, ...(params.algo ? [params.algo] : [])],
    ...(datasets.length > 0 ? { datasets: [...new Set(datasets.map((dataset) => dataset.name))] } : {}),
    metrics: evaluation.map(([key]) => key),
    "model-index": [
      {
        name: resolved.name,
        results: [
          {
            task: { type: task, name: task === "tabular-regression" ? "Tabular regression" : "Tabular classification" },
            dataset: { name: datasets[0]?.name ?? "held-out rows of the training data", type: "tabular" },
            metrics: evaluation.map(([key, value]) => ({ type: key, value: round(value), name: key })),
          },
        ],
      },
    ],
  };
  const energy = metrics.energy_kwh;
  const emissions = metrics.emissions_kg;
  const values: Record<string, string> = {
    title: `${resolved.name} (version ${resolved.version})`,
    description: registered.description || version.description || "A model registered with Lathe.",
    name: resolved.name,
    version: resolved.version,
    aliases: aliases.length > 0 ? aliases.join(", ") : "none",
    stage: version.current_stage ?? "None",
    source: version.source ?? "",
    run_id: version.run_id ?? "unknown",
    run_name: run?.info.run_name ?? "",
    algo: params.algo ?? "not recorded",
    task,
    intended_use:
      options.intendedUse ??
      "Describe who should use this model, for which decisions, and on which population. (Edit this section.)",
    training_data:
      datasets.length > 0
        ? table(
            datasets.map((dataset) => [dataset.name, `digest ${dataset.digest}, ${dataset.source_type}`]),
            ["Dataset", "Provenance"],
          )
        : `Rows used for training: ${params.train_rows ?? "not recorded"}; held out for evaluation: ${params.test_rows ?? "not recorded"}.`,
    parameters: table(
      Object.entries(params).filter(([key]) => !["algo", "task"].includes(key)),
      ["Parameter", "Value"],
    ),
    evaluation: table(
      evaluation.map(([key, value]) => [key, round(value)]),
      ["Metric", "Value"],
    ),
    limitations:
      options.limitations ??
      "The model was evaluated only on held-out rows of its training data; its behaviour on data that drifts from it is unknown. (Edit this section.)",
    environmental_impact:
      energy !== undefined
        ? `Training used ${round(energy)} kWh and emitted ${round(emissions ?? 0)} kg CO₂e (measured by Lathe as CodeCarbon measures it${tags["lathe.energy.method"] ? `; ${tags["lathe.energy.method"]}` : ""}).`
        : "Not recorded for this run.",
  };
  return `---\n${stringify(frontMatter, { lineWidth: 0 })}---\n\n${fillTemplate(options.template ?? MODEL_CARD_TEMPLATE, values)}`;
}
