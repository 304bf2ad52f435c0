/**
 * @module ui/api
 * The UI's calls to the server: the same `/ajax-api/2.0/mlflow` routes MLflow's UI uses, plus the
 * Lathe extensions under `lathe/`. Paths are relative to the page, so a server behind a prefix works.
 */

export interface KeyValue {
  key: string;
  value: string;
}

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface RunInfo {
  run_id: string;
  run_name?: string;
  experiment_id: string;
  user_id?: string;
  status: string;
  start_time?: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: string;
}

export interface DatasetInput {
  tags?: KeyValue[];
  dataset: { name: string; digest: string; source_type: string; source: string; schema?: string; profile?: string };
}

export interface Run {
  info: RunInfo;
  data: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] };
  inputs?: { dataset_inputs?: DatasetInput[] };
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage: string;
  last_update_time?: number;
  creation_time?: number;
  tags?: KeyValue[];
}

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  aliases?: string[];
  tags?: KeyValue[];
}

export interface RegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  description?: string;
  latest_versions?: ModelVersion[];
  aliases?: { alias: string; version: string }[];
  tags?: KeyValue[];
}

export interface RegistryEvent {
  name: string;
  version: string;
  kind: "stage" | "alias";
  alias?: string;
  from?: string;
  to?: string;
  user: string;
  timestamp: number;
}

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** A failed call, with MLflow's `error_code`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const BASE = "ajax-api/2.0/mlflow/";

type QueryValue = string | number | boolean | undefined | readonly string[];

function query(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

async function parse<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { message: text };
  }
  if (!response.ok) {
    throw new ApiError(
      String(body.message ?? `${response.status} ${response.statusText}`),
      String(body.error_code ?? "INTERNAL_ERROR"),
      response.status,
    );
  }
  return body as T;
}

/** GET an endpoint with query parameters. */
export async function get<T>(path: string, params: Record<string, QueryValue> = {}): Promise<T> {
  return parse<T>(await fetch(`${BASE}${path}${query(params)}`, { headers: { accept: "application/json" } }));
}

/** Sends a JSON body with `method`. */
export async function send<T>(method: "POST" | "PATCH" | "DELETE", path: string, body: unknown): Promise<T> {
  return parse<T>(
    await fetch(`${BASE}${path}`, {
      method,
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    }),
  );
}

export interface RunsPage {
  runs?: Run[];
  next_page_token?: string;
}

export interface SearchRunsOptions {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
}

export function searchRuns(options: SearchRunsOptions): Promise<RunsPage> {
  return send<RunsPage>("POST", "runs/search", {
    experiment_ids: options.experimentIds,
    filter: options.filter ?? "",
    order_by: options.orderBy ?? [],
    max_results: options.maxResults ?? 1000,
    page_token: options.pageToken,
  });
}

export async function searchExperiments(): Promise<Experiment[]> {
  const all: Experiment[] = [];
  let token: string | undefined;
  do {
    const page = await send<{ experiments?: Experiment[]; next_page_token?: string }>("POST", "experiments/search", {
      max_results: 1000,
      page_token: token,
      order_by: ["last_update_time DESC"],
    });
    all.push(...(page.experiments ?? []));
    token = page.next_page_token;
  } while (token);
  return all;
}

export async function getExperiment(id: string): Promise<Experiment> {
  return (await get<{ experiment: Experiment }>("experiments/get", { experiment_id: id })).experiment;
}

export async function getRun(id: string): Promise<Run> {
  return (await get<{ run: Run }>("runs/get", { run_id: id })).run;
}

/** Every point of one metric of one run, following pages. */
export async function metricHistory(runId: string, key: string): Promise<Metric[]> {
  const all: Metric[] = [];
  let token: string | undefined;
  do {
    const page = await get<{ metrics?: Metric[]; next_page_token?: string }>("metrics/get-history", {
      run_id: runId,
      metric_key: key,
      max_results: 25000,
      page_token: token,
    });
    all.push(...(page.metrics ?? []));
    token = page.next_page_token;
  } while (token);
  return all;
}

export async function listArtifacts(runId: string, path: string): Promise<FileInfo[]> {
  return (await get<{ files?: FileInfo[] }>("artifacts/list", { run_id: runId, path })).files ?? [];
}

/** URL of one artifact file of a run (served by `/get-artifact`). */
export function artifactUrl(runId: string, path: string): string {
  return `get-artifact${query({ run_uuid: runId, path })}`;
}

export async function checkFilter(
  filter: string,
  entity = "runs",
): Promise<{ valid: boolean; message?: string; position?: number }> {
  return get("lathe/search/check-filter", { filter, entity });
}

export async function searchModels(filter = ""): Promise<RegisteredModel[]> {
  const all: RegisteredModel[] = [];
  let token: string | undefined;
  do {
    const page = await get<{ registered_models?: RegisteredModel[]; next_page_token?: string }>(
      "registered-models/search",
      { filter: filter || undefined, max_results: 1000, page_token: token },
    );
    all.push(...(page.registered_models ?? []));
    token = page.next_page_token;
  } while (token);
  return all;
}

export async function getModel(name: string): Promise<RegisteredModel> {
  return (await get<{ registered_model: RegisteredModel }>("registered-models/get", { name })).registered_model;
}

export async function modelVersions(name: string): Promise<ModelVersion[]> {
  const escaped = name.replace(/'/g, "\\'");
  const page = await get<{ model_versions?: ModelVersion[] }>("model-versions/search", {
    filter: `name='${escaped}'`,
    max_results: 10000,
  });
  return (page.model_versions ?? []).sort((a, b) => Number(b.version) - Number(a.version));
}

export async function registryHistory(name: string): Promise<RegistryEvent[]> {
  return (await get<{ events?: RegistryEvent[] }>("registry/history", { name })).events ?? [];
}

export function setAlias(name: string, alias: string, version: string): Promise<unknown> {
  return send("POST", "registered-models/alias", { name, alias, version });
}

export function transitionStage(name: string, version: string, stage: string): Promise<unknown> {
  return send("POST", "model-versions/transition-stage", {
    name,
    version,
    stage,
    archive_existing_versions: stage === "Staging" || stage === "Production",
  });
}

export function rollbackAlias(name: string, alias: string): Promise<{ version: string; previous?: string }> {
  return send("POST", "lathe/registry/rollback", { name, alias });
}

/** The Hugging Face model card of a version, Markdown with YAML front matter (`lathe card model`). */
export async function modelCard(name: string, version: string, runId?: string): Promise<string> {
  const params: Record<string, QueryValue> = { name, version };
  if (runId) params.run_id = runId;
  return (await get<{ card: string }>("lathe/registry/model-card", params)).card;
}

export interface PipelineStage {
  address: string;
  name: string;
  file: string;
  cmd: string[];
  deps: string[];
  outs: string[];
  state: "up to date" | "changed" | "never run" | "frozen";
  reasons: unknown[];
}

export type PipelineView =
  | { enabled: false; message: string }
  | { enabled: true; project: string; stages: PipelineStage[]; edges: [string, string][] };

export function pipeline(): Promise<PipelineView> {
  return get<PipelineView>("lathe/pipeline");
}

/** Looks a key up in a key/value list. */
export function lookup(list: readonly KeyValue[] | undefined, key: string): string | undefined {
  return list?.find((item) => item.key === key)?.value;
}
