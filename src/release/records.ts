/**
 * @module release/records
 * Where releases live: only in what any MLflow tracking server already stores, so the release flow
 * works against Lathe or MLflow alike. The experiment `lathe-releases` holds the environments as
 * experiment tags (`lathe.release.env.<name>.endpoint`, `…alias`), and each release is one run of
 * it (the release id is the run id): params for what was released where, tags for its status, smoke
 * summary and approvals, metrics for the smoke counts, and the full smoke report as an artifact.
 */
import { userInfo } from "node:os";
import type { LatheClient } from "../client/client.js";
import { invalidParameter, LatheError, notFound } from "../core/errors.js";
import { validateAlias } from "../registry/validation.js";
import type { Run } from "../tracking/entities.js";

export const RELEASE_EXPERIMENT = "lathe-releases";
export const REPORT_ARTIFACT = "smoke-report.json";

const ENV_PREFIX = "lathe.release.env.";
const ENV_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Run tags of a release. */
export const RELEASE_TAGS = {
  status: "lathe.release.status",
  createdBy: "lathe.release.created_by",
  previous: "lathe.release.previous_version",
  smoke: "lathe.release.smoke",
  error: "lathe.release.error",
  approvals: "lathe.release.approvals",
  approvedBy: "lathe.release.approved_by",
  approvedAt: "lathe.release.approved_at",
  approvedEnv: "lathe.release.approved_env",
} as const;

/** A named place a model is served from. */
export interface Environment {
  readonly name: string;
  /** Base URL of the model server that follows the alias; absent for an environment only the registry knows. */
  readonly endpoint?: string;
  /** The registry alias the environment serves (default: its name). */
  readonly alias: string;
}

export type ReleaseStatus = "deploying" | "passed" | "failed" | "error" | "approved";

/** A release moved on to another environment. */
export interface Approval {
  readonly env: string;
  readonly alias: string;
  readonly approver: string;
  /** ISO time. */
  readonly at: string;
  /** The version the alias held before, when it held one. */
  readonly from?: string;
  readonly to: string;
}

/** The smoke counts and the names of the requests that failed. */
export interface SmokeSummary {
  readonly passed: number;
  readonly failed: number;
  readonly total: number;
  readonly failing: readonly string[];
}

export interface Release {
  readonly id: string;
  readonly model: string;
  readonly version: string;
  readonly env: string;
  readonly alias: string;
  readonly endpoint: string;
  readonly status: ReleaseStatus;
  readonly createdBy: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** The version the environment's alias held before this release. */
  readonly previousVersion?: string;
  readonly smoke?: SmokeSummary;
  /** Why the deployment itself failed (status `error`). */
  readonly error?: string;
  readonly approvals: readonly Approval[];
}

/** Who is acting when no name is given: `$LATHE_USER`, else the operating-system user. */
export function currentUser(): string {
  if (process.env.LATHE_USER) return process.env.LATHE_USER;
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || process.env.USERNAME || "unknown";
  }
}

/** Checks an environment name: letters, digits, `_` and `-`. */
export function validateEnvironmentName(name: string): string {
  if (!ENV_NAME.test(name)) {
    throw invalidParameter(
      `Environment name '${name}' is not valid: use letters, digits, _ and - (at most 64), e.g. uat or prod.`,
    );
  }
  return name;
}

/** The releases experiment's id; created when `create` is set, else undefined when there is none yet. */
export async function releaseExperimentId(client: LatheClient, create: boolean): Promise<string | undefined> {
  if (create) return client.getOrCreateExperiment(RELEASE_EXPERIMENT);
  try {
    return (await client.getExperimentByName(RELEASE_EXPERIMENT)).experiment_id;
  } catch (error) {
    if (error instanceof LatheError && error.code === "RESOURCE_DOES_NOT_EXIST") return undefined;
    throw error;
  }
}

/** Every environment recorded, by name. */
export async function listEnvironments(client: LatheClient): Promise<Environment[]> {
  const experimentId = await releaseExperimentId(client, false);
  if (experimentId === undefined) return [];
  const experiment = await client.getExperiment(experimentId);
  const fields = new Map<string, { endpoint?: string; alias?: string }>();
  for (const tag of experiment.tags ?? []) {
    const match = /^lathe\.release\.env\.(.+)\.(endpoint|alias)$/.exec(tag.key);
    if (!match) continue;
    const entry = fields.get(match[1] as string) ?? {};
    entry[match[2] as "endpoint" | "alias"] = tag.value;
    fields.set(match[1] as string, entry);
  }
  return [...fields.entries()]
    .map(([name, entry]) => ({
      name,
      alias: entry.alias || name,
      ...(entry.endpoint ? { endpoint: entry.endpoint } : {}),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One environment; refused, with the command that records it, when it is unknown. */
export async function getEnvironment(client: LatheClient, name: string): Promise<Environment> {
  validateEnvironmentName(name);
  const environment = (await listEnvironments(client)).find((entry) => entry.name === name);
  if (!environment) {
    throw notFound(
      `No release environment '${name}' on ${client.trackingUri}. Record it first: lathe release env set ${name} --endpoint http://<model server> [--alias ${name}].`,
    );
  }
  return environment;
}

/** Records (or updates) an environment; what is not given keeps its recorded value. */
export async function setEnvironment(
  client: LatheClient,
  name: string,
  options: { endpoint?: string; alias?: string },
): Promise<Environment> {
  validateEnvironmentName(name);
  if (options.endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(options.endpoint)) {
    throw invalidParameter(
      `--endpoint '${options.endpoint}' is not an http(s) URL: give the model server's base URL, e.g. http://uat-model:8080.`,
    );
  }
  if (options.alias !== undefined) validateAlias(options.alias);
  const experimentId = (await releaseExperimentId(client, true)) as string;
  if (options.endpoint !== undefined) {
    await client.setExperimentTag(experimentId, `${ENV_PREFIX}${name}.endpoint`, options.endpoint.replace(/\/+$/, ""));
  }
  const existing = (await listEnvironments(client)).find((entry) => entry.name === name);
  if (options.alias !== undefined || existing === undefined) {
    await client.setExperimentTag(experimentId, `${ENV_PREFIX}${name}.alias`, options.alias ?? name);
  }
  return getEnvironment(client, name);
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (text === undefined || text === "") return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** A run of the releases experiment as a release; undefined for a run that is not one. */
export function toRelease(run: Run): Release | undefined {
  const params = Object.fromEntries(run.data.params.map((param) => [param.key, param.value]));
  const tags = Object.fromEntries(run.data.tags.map((tag) => [tag.key, tag.value]));
  const status = tags[RELEASE_TAGS.status] as ReleaseStatus | undefined;
  if (params.model === undefined || params.version === undefined || params.env === undefined || !status) {
    return undefined;
  }
  const smoke = parseJson<SmokeSummary | undefined>(tags[RELEASE_TAGS.smoke], undefined);
  return {
    id: run.info.run_id,
    model: params.model,
    version: params.version,
    env: params.env,
    alias: params.alias ?? params.env,
    endpoint: params.endpoint ?? "",
    status,
    createdBy: tags[RELEASE_TAGS.createdBy] ?? run.info.user_id,
    createdAt: run.info.start_time,
    ...(tags[RELEASE_TAGS.previous] ? { previousVersion: tags[RELEASE_TAGS.previous] } : {}),
    ...(smoke ? { smoke } : {}),
    ...(tags[RELEASE_TAGS.error] ? { error: tags[RELEASE_TAGS.error] } : {}),
    approvals: parseJson<Approval[]>(tags[RELEASE_TAGS.approvals], []),
  };
}

/** The release with that id; refused when the run is not a release. */
export async function getRelease(client: LatheClient, id: string): Promise<Release> {
  let run: Run;
  try {
    run = await client.getRun(id);
  } catch (error) {
    if (error instanceof LatheError && error.code === "RESOURCE_DOES_NOT_EXIST") {
      throw notFound(`No release '${id}' on ${client.trackingUri}: list them with lathe release list.`);
    }
    throw error;
  }
  const experimentId = await releaseExperimentId(client, false);
  const release = run.info.experiment_id === experimentId ? toRelease(run) : undefined;
  if (!release) {
    throw invalidParameter(
      `Run '${id}' is not a release (releases are runs of the '${RELEASE_EXPERIMENT}' experiment): list them with lathe release list.`,
    );
  }
  return release;
}

export interface ReleaseFilter {
  readonly model?: string;
  /** Releases created in this environment or approved to it. */
  readonly env?: string;
}

/** Every release, newest first. */
export async function listReleases(client: LatheClient, filter: ReleaseFilter = {}): Promise<Release[]> {
  const experimentId = await releaseExperimentId(client, false);
  if (experimentId === undefined) return [];
  const runs = await client.searchAllRuns({
    experimentIds: [experimentId],
    ...(filter.model !== undefined ? { filter: `params.model = '${filter.model.replaceAll("'", "\\'")}'` } : {}),
    orderBy: ["attributes.start_time DESC"],
  });
  return runs
    .map(toRelease)
    .filter((release): release is Release => release !== undefined)
    .filter(
      (release) =>
        filter.env === undefined ||
        release.env === filter.env ||
        release.approvals.some((approval) => approval.env === filter.env),
    )
    .sort((a, b) => b.createdAt - a.createdAt);
}
