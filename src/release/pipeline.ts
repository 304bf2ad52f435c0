/**
 * @module release/pipeline
 * The release flow. `createRelease` deploys a model version to an environment by pointing the
 * environment's alias at it (the model server there follows the alias and hot-reloads), waits until
 * the endpoint serves it, runs the smoke test and records the outcome as a run. `approveRelease`
 * moves a release that passed on to another environment (production) by moving that environment's
 * alias, recording who approved it and when. Both only use MLflow's REST API.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LatheClient } from "../client/client.js";
import { invalidParameter, LatheError } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import {
  type Approval,
  type Environment,
  getEnvironment,
  getRelease,
  RELEASE_TAGS,
  REPORT_ARTIFACT,
  type Release,
  releaseExperimentId,
  type SmokeSummary,
} from "./records.js";
import { runSmokeTest, type SmokeReport, servedVersion, waitForVersion } from "./runner.js";
import type { SmokeFile } from "./smoke-file.js";

/** Tag values stay well under MLflow's limit; the full list is in the report artifact. */
const MAX_FAILING_NAMES = 20;

export interface CreateReleaseOptions {
  /** `models:/name/3` or `models:/name@alias`. */
  readonly uri: string;
  readonly env: string;
  readonly smoke: SmokeFile;
  readonly user: string;
  /** How long to wait for the endpoint to serve the version (and for each smoke request), in ms. */
  readonly timeoutMs: number;
  /** Pause between looks at the endpoint, in ms (default 250). */
  readonly intervalMs?: number;
}

export interface CreatedRelease {
  readonly release: Release;
  readonly report: SmokeReport;
}

/** Points `alias` at `version` and returns the version it held before (through MLflow's alias API only). */
async function moveAlias(
  client: LatheClient,
  name: string,
  alias: string,
  version: string,
): Promise<string | undefined> {
  let previous: string | undefined;
  try {
    previous = (await client.getModelVersionByAlias(name, alias)).version;
  } catch (error) {
    // MLflow answers an unset alias with INVALID_PARAMETER_VALUE (Lathe too); anything else is real.
    if (!(error instanceof LatheError && ["INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST"].includes(error.code)))
      throw error;
  }
  await client.setRegisteredModelAlias(name, alias, version);
  return previous;
}

function summarize(report: SmokeReport): SmokeSummary {
  const failing = report.results.filter((result) => !result.passed).map((result) => result.name);
  return {
    passed: report.passed,
    failed: report.failed,
    total: report.total,
    failing: failing.slice(0, MAX_FAILING_NAMES),
  };
}

async function uploadReport(client: LatheClient, runId: string, report: SmokeReport): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), "lathe-release-"));
  try {
    const file = join(folder, REPORT_ARTIFACT);
    await writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
    await client.uploadArtifact(runId, file);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function resolveRelease(client: LatheClient, uri: string): Promise<{ name: string; version: string }> {
  if (!uri.startsWith("models:/")) {
    throw invalidParameter(
      `A release takes a registered model version: models:/<name>/<version> or models:/<name>@<alias>, not '${uri}'. Register it first with lathe models register.`,
    );
  }
  const resolved = await client.resolveModelUri(uri);
  if (resolved.name === undefined || resolved.version === undefined) {
    throw invalidParameter(`'${uri}' does not name one model version: use models:/<name>/<version>.`);
  }
  return { name: resolved.name, version: resolved.version };
}

function needEndpoint(environment: Environment): string {
  if (environment.endpoint === undefined) {
    throw invalidParameter(
      `Environment '${environment.name}' has no endpoint, so nothing can be smoke-tested there. Record its model server: lathe release env set ${environment.name} --endpoint http://<host>:<port>.`,
    );
  }
  return environment.endpoint;
}

/**
 * Deploys `uri` to an environment, smoke-tests it and records the release. A failed smoke test is a
 * recorded release with status `failed` (check `report.failed`); a deployment that never came up is
 * recorded with status `error` and thrown.
 */
export async function createRelease(client: LatheClient, options: CreateReleaseOptions): Promise<CreatedRelease> {
  const environment = await getEnvironment(client, options.env);
  const endpoint = needEndpoint(environment);
  const { name, version } = await resolveRelease(client, options.uri);
  const experimentId = (await releaseExperimentId(client, true)) as string;
  const run = await client.createRun({
    experimentId,
    runName: `${name}-v${version}-${environment.name}`,
    userId: options.user,
    tags: {
      "mlflow.user": options.user,
      [RELEASE_TAGS.status]: "deploying",
      [RELEASE_TAGS.createdBy]: options.user,
    },
  });
  const runId = run.info.run_id;
  await client.logBatch(runId, {
    params: [
      { key: "model", value: name },
      { key: "version", value: version },
      { key: "env", value: environment.name },
      { key: "alias", value: environment.alias },
      { key: "endpoint", value: endpoint },
      { key: "model_uri", value: options.uri },
      { key: "smoke_file", value: options.smoke.source },
    ],
  });
  let report: SmokeReport;
  try {
    const previous = await moveAlias(client, name, environment.alias, version);
    if (previous !== undefined) await client.setTag(runId, RELEASE_TAGS.previous, previous);
    const waitOptions = { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs };
    await waitForVersion(endpoint, name, version, {
      ...waitOptions,
      environment: environment.name,
      alias: environment.alias,
    });
    report = await runSmokeTest(endpoint, name, version, options.smoke, waitOptions);
    const after = await servedVersion(endpoint, name, options.timeoutMs);
    if (after !== version) {
      throw new LatheError(
        "INVALID_STATE",
        `The ${environment.name} endpoint ${endpoint} moved from version ${version} to ${after ?? "an unknown version"} during the smoke test (the '${environment.alias}' alias was moved by someone else); the results cannot be trusted. Create the release again.`,
      );
    }
  } catch (error) {
    await client
      .logBatch(runId, {
        tags: { [RELEASE_TAGS.status]: "error", [RELEASE_TAGS.error]: (error as Error).message.slice(0, 4000) },
      })
      .catch(() => undefined);
    await client.updateRun(runId, { status: "FAILED", endTime: Date.now() }).catch(() => undefined);
    throw error;
  }
  await uploadReport(client, runId, report);
  const passed = report.failed === 0;
  await client.logBatch(runId, {
    metrics: [
      { key: "smoke_passed", value: report.passed },
      { key: "smoke_failed", value: report.failed },
      { key: "smoke_total", value: report.total },
    ],
    tags: {
      [RELEASE_TAGS.status]: passed ? "passed" : "failed",
      [RELEASE_TAGS.smoke]: JSON.stringify(summarize(report)),
    },
  });
  await client.updateRun(runId, { status: passed ? "FINISHED" : "FAILED", endTime: Date.now() });
  return { release: await getRelease(client, runId), report };
}

export interface ApproveReleaseOptions {
  readonly id: string;
  readonly env: string;
  readonly approver: string;
  /** When the environment has an endpoint, how long to wait for it to serve the version, in ms; 0 does not wait. */
  readonly timeoutMs: number;
  readonly intervalMs?: number;
}

export interface ApprovedRelease {
  readonly release: Release;
  readonly approval: Approval;
  /** True when the environment's endpoint was seen serving the version. */
  readonly served: boolean;
}

function refuseUnlessPassed(release: Release): void {
  const recreate = `lathe release create models:/${release.model}/<version> --env ${release.env} --smoke <file>`;
  if (release.status === "failed") {
    const failing = release.smoke?.failing ?? [];
    throw new LatheError(
      "INVALID_STATE",
      `Release ${release.id} (${release.model} version ${release.version}) failed its smoke test in ${release.env}: ${release.smoke?.failed ?? "some"} of ${release.smoke?.total ?? "its"} requests failed (${failing.map((name) => `'${name}'`).join(", ")}); see lathe release show ${release.id}. It cannot be approved: fix the model or the smoke file, then create a new release (${recreate}) and approve that one.`,
    );
  }
  if (release.status === "error") {
    throw new LatheError(
      "INVALID_STATE",
      `Release ${release.id} (${release.model} version ${release.version}) never ran its smoke test: ${release.error ?? "its deployment failed"} It cannot be approved: create a new release (${recreate}).`,
    );
  }
  if (release.status === "deploying") {
    throw new LatheError(
      "INVALID_STATE",
      `Release ${release.id} has not finished its smoke test (status 'deploying'); wait for it, or create a new release if it was interrupted (${recreate}).`,
    );
  }
}

/**
 * Moves a release that passed its smoke test on to `env`: points that environment's alias at the
 * version and records the approval. Refuses a release that did not pass, or one already approved to `env`.
 */
export async function approveRelease(client: LatheClient, options: ApproveReleaseOptions): Promise<ApprovedRelease> {
  const release = await getRelease(client, options.id);
  refuseUnlessPassed(release);
  const earlier = release.approvals.find((approval) => approval.env === options.env);
  if (earlier) {
    throw new LatheError(
      "INVALID_STATE",
      `Release ${release.id} was already approved to ${options.env} by ${earlier.approver} at ${earlier.at}; nothing to do.`,
    );
  }
  if (options.env === release.env) {
    throw invalidParameter(
      `Release ${release.id} is already deployed to ${release.env}, where it was tested; approve it to another environment, e.g. --env prod.`,
    );
  }
  const environment = await getEnvironment(client, options.env);
  const from = await moveAlias(client, release.model, environment.alias, release.version);
  const approval: Approval = {
    env: environment.name,
    alias: environment.alias,
    approver: options.approver,
    at: new Date().toISOString(),
    ...(from !== undefined ? { from } : {}),
    to: release.version,
  };
  await client.logBatch(options.id, {
    tags: {
      [RELEASE_TAGS.status]: "approved",
      [RELEASE_TAGS.approvals]: JSON.stringify([...release.approvals, approval]),
      [RELEASE_TAGS.approvedBy]: approval.approver,
      [RELEASE_TAGS.approvedAt]: approval.at,
      [RELEASE_TAGS.approvedEnv]: approval.env,
    },
  });
  let served = false;
  if (environment.endpoint !== undefined && options.timeoutMs > 0) {
    try {
      await waitForVersion(environment.endpoint, release.model, release.version, {
        timeoutMs: options.timeoutMs,
        intervalMs: options.intervalMs,
        environment: environment.name,
        alias: environment.alias,
      });
    } catch (error) {
      if (!(error instanceof LatheError)) throw error;
      throw new LatheError(
        error.code,
        `Release ${release.id} is approved and alias '${environment.alias}' of '${release.model}' now points at version ${release.version}, but: ${error.message}`,
        { cause: error },
      );
    }
    served = true;
  }
  return { release: await getRelease(client, options.id), approval, served };
}

/** The smoke report stored with a release. */
export async function readReport(client: LatheClient, id: string): Promise<{ release: Release; report?: SmokeReport }> {
  const release = await getRelease(client, id);
  if (release.smoke === undefined) return { release };
  const folder = await mkdtemp(join(tmpdir(), "lathe-release-"));
  try {
    const file = await client.downloadArtifacts(id, REPORT_ARTIFACT, folder);
    return { release, report: JSON.parse(await readFile(file, "utf8")) as SmokeReport };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
