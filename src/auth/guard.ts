/**
 * @module auth/guard
 * Decides one request: resolves the experiment or registered model it acts on (a run → its
 * experiment; an artifact proxy path → the experiment it lies under) and checks the caller's
 * permission there — their row, else the server's default permission; admins pass everything.
 * Also filters search answers down to what the caller may read, refilling pages as MLflow does.
 */
import { validateArtifactPath } from "../artifacts/index.js";
import { invalidParameter, LatheError } from "../core/errors.js";
import { validateModelVersionSource } from "../registry/source.js";
import type { RequestParams } from "../server/params.js";
import type { TrackingStore } from "../tracking/store.js";
import type { Principal } from "./credentials.js";
import { allows, type Capability, canonicalExperimentId, type Permission } from "./permissions.js";
import type { Resolver, Rule, SearchKind } from "./rules.js";
import type { AuthStore, ResourceKind } from "./store.js";

export interface GuardOptions {
  readonly auth: AuthStore;
  readonly store: TrackingStore;
  /** Permission where a user has no row (MLflow's `default_permission`). */
  readonly defaultPermission: Permission;
}

/** What a request acts on, for the permission check and the audit log. */
export interface Target {
  readonly kind: ResourceKind;
  readonly ids: readonly string[];
}

const NEEDED: Record<Capability, Permission> = {
  read: "READ",
  use: "USE",
  update: "EDIT",
  delete: "MANAGE",
  manage: "MANAGE",
};

const LABEL: Record<ResourceKind, string> = { experiment: "experiment", registered_model: "registered model" };

export function permissionDenied(message: string): LatheError {
  return new LatheError("PERMISSION_DENIED", message);
}

function denied(user: Principal, need: Capability, kind: ResourceKind, id: string): LatheError {
  return permissionDenied(
    `Permission denied: user '${user.username}' needs ${NEEDED[need]} on ${LABEL[kind]} '${id}' for this request. Ask a user with MANAGE on it (or an admin) to grant it.`,
  );
}

/** The first segment of an artifact proxy path names its experiment when it is a number. */
export function experimentOfArtifactPath(raw: string): string | undefined {
  const path = validateArtifactPath(raw);
  const first = path.split("/")[0] ?? "";
  return /^\d{1,15}$/.test(first) ? canonicalExperimentId(first) : undefined;
}

/**
 * Every value the fields carry: a handler may read `run_uuid` before `run_id`, or the last of a
 * repeated query key, so the check covers all of them rather than guessing which one it reads.
 */
function everyValue(params: RequestParams, fields: readonly string[]): string[] {
  return fields.flatMap((name) => params.stringList(name)).filter((value) => value !== "");
}

export class Guard {
  constructor(private readonly options: GuardOptions) {}

  /** The caller's permission on one resource. */
  async permission(user: Principal, kind: ResourceKind, id: string): Promise<Permission> {
    if (user.isAdmin) return "MANAGE";
    return (await this.options.auth.findPermission(kind, id, user.id)) ?? this.options.defaultPermission;
  }

  async require(user: Principal, need: Capability, kind: ResourceKind, id: string): Promise<void> {
    if (!allows(await this.permission(user, kind, id), need)) throw denied(user, need, kind, id);
  }

  async #experimentOfRun(runId: string): Promise<string> {
    const run = await this.options.store.getRun(runId);
    return canonicalExperimentId(run.info.experiment_id);
  }

  /** The resources a request names; `artifactPath` is the proxy path when the route has one. */
  async resolve(resolver: Resolver, params: RequestParams, artifactPath: string | undefined): Promise<Target> {
    switch (resolver.from) {
      case "experiment_id": {
        const ids = everyValue(params, ["experiment_id"]);
        if (ids.length === 0 && resolver.fallback !== undefined) ids.push(resolver.fallback);
        if (ids.length === 0) throw invalidParameter("Missing value for required parameter 'experiment_id'.");
        return { kind: "experiment", ids: [...new Set(ids.map(canonicalExperimentId))] };
      }
      case "experiment_name": {
        const name = params.optionalString("experiment_name");
        if (!name) throw invalidParameter("Missing value for required parameter 'experiment_name'.");
        const experiment = await this.options.store.getExperimentByName(name);
        return { kind: "experiment", ids: [canonicalExperimentId(experiment.experiment_id)] };
      }
      case "run_id": {
        const runIds = everyValue(params, ["run_id", "run_uuid"]);
        if (runIds.length === 0 && resolver.optional) return { kind: "experiment", ids: [] };
        if (runIds.length === 0) throw invalidParameter("Missing value for required parameter 'run_id'.");
        const ids = new Set<string>();
        for (const runId of runIds) ids.add(await this.#experimentOfRun(runId));
        return { kind: "experiment", ids: [...ids] };
      }
      case "run_ids": {
        const runIds = params.stringList(resolver.field);
        // The handler refuses an empty or oversized list; only the runs it would read are checked.
        const ids = new Set<string>();
        for (const runId of runIds.slice(0, 101)) ids.add(await this.#experimentOfRun(runId));
        return { kind: "experiment", ids: [...ids] };
      }
      case "model_name": {
        const names = everyValue(params, ["name"]);
        if (names.length === 0) throw invalidParameter("Missing value for required parameter 'name'.");
        return { kind: "registered_model", ids: [...new Set(names)] };
      }
      case "artifact_path": {
        const experiment = experimentOfArtifactPath(artifactPath ?? "");
        return { kind: "experiment", ids: experiment === undefined ? [] : [experiment] };
      }
    }
  }

  /**
   * Checks a request against its rule; resolves to what it acts on (undefined when nothing).
   *
   * @throws LatheError PERMISSION_DENIED (403) when the caller may not.
   */
  async check(
    rule: Rule,
    user: Principal,
    params: RequestParams,
    artifactPath: string | undefined,
  ): Promise<Target | undefined> {
    switch (rule.access) {
      case "public":
      case "authenticated":
      case "search":
        return undefined;
      case "admin":
        if (!user.isAdmin)
          throw permissionDenied(`Permission denied: only admins may do this; '${user.username}' is not one.`);
        return undefined;
      case "self": {
        const username = params.optionalString("username");
        if (!user.isAdmin && username !== user.username) {
          throw permissionDenied(
            `Permission denied: '${user.username}' may only do this for their own user, not '${username ?? ""}', unless an admin.`,
          );
        }
        return undefined;
      }
      case "resource": {
        const target = await this.resolve(rule.resource, params, artifactPath);
        if (target.ids.length === 0 && !user.isAdmin) {
          throw permissionDenied(
            "Permission denied: this artifact path does not lie under an experiment (<experiment_id>/...), so only admins may use it.",
          );
        }
        for (const id of target.ids) await this.require(user, rule.need, target.kind, id);
        if (rule.also) {
          const also = await this.resolve(rule.also, params, artifactPath);
          for (const id of also.ids) await this.require(user, rule.need, also.kind, id);
        }
        return target;
      }
    }
  }

  /**
   * What `model-versions/create` may register from, for a non-admin: the run it names must be
   * readable, and so must whatever its source points at; local files only inside that run's
   * artifacts (source validation enforces it); no other server-side location.
   */
  async checkModelVersionSource(user: Principal, params: RequestParams): Promise<void> {
    if (user.isAdmin) return;
    const runId = params.optionalString("run_id") || undefined;
    if (runId) await this.require(user, "read", "experiment", await this.#experimentOfRun(runId));
    const source = params.optionalString("source");
    if (!source) return;
    const kind = await validateModelVersionSource(source, runId, async (id) => {
      const run = await this.options.store.getRun(id);
      return run.info.artifact_uri;
    });
    if (kind.kind === "run") {
      await this.require(user, "read", "experiment", await this.#experimentOfRun(kind.runId));
    } else if (kind.kind === "model") {
      const name = /^models:\/+([^/@]+)/i.exec(source)?.[1];
      if (name) await this.require(user, "read", "registered_model", decodeURIComponent(name));
    } else if (kind.kind === "proxied") {
      const experiment = experimentOfArtifactPath(kind.path);
      if (experiment === undefined) {
        throw permissionDenied(
          "Permission denied: an mlflow-artifacts: source must lie under an experiment (mlflow-artifacts:/<experiment_id>/...) unless registered by an admin.",
        );
      }
      await this.require(user, "read", "experiment", experiment);
    } else if (kind.kind === "remote") {
      throw permissionDenied(
        `Permission denied: only admins may register a model version from a '${kind.scheme}:' source. Log the model to a run and register runs:/<run_id>/<path>.`,
      );
    }
  }

  /** A test of whether the caller may read a search result item. */
  async readable(user: Principal, search: SearchKind): Promise<(item: Record<string, unknown>) => boolean> {
    if (user.isAdmin) return () => true;
    const kind: ResourceKind = search === "experiments" || search === "runs" ? "experiment" : "registered_model";
    const rows = await this.options.auth.listPermissions(kind, user.id);
    const fallback = this.options.defaultPermission;
    const can = (id: string) => allows(rows.get(id) ?? fallback, "read");
    switch (search) {
      case "experiments":
        return (item) => can(canonicalExperimentId(String(item.experiment_id)));
      case "runs":
        return (item) =>
          can(canonicalExperimentId(String((item.info as Record<string, unknown> | undefined)?.experiment_id)));
      case "registered_models":
      case "model_versions":
        return (item) => can(String(item.name));
    }
  }
}

/** The list a search answer carries its items in. */
export const SEARCH_KEYS: Record<SearchKind, string> = {
  experiments: "experiments",
  runs: "runs",
  registered_models: "registered_models",
  model_versions: "model_versions",
};

/**
 * Keeps the readable items of a search answer and, while the page is short and more remain,
 * fetches the next ones (never more than are missing, so the page token stays exact), as MLflow's
 * auth app refills filtered pages. `requested` is the page size asked for, or undefined for the
 * server's default (then a full first page tells it).
 */
export async function filterSearchAnswer(
  answer: Record<string, unknown>,
  key: string,
  requested: number | undefined,
  readable: (item: Record<string, unknown>) => boolean,
  fetchMore: (maxResults: number, pageToken: string) => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const first = (answer[key] as Record<string, unknown>[] | undefined) ?? [];
  let token = answer.next_page_token as string | undefined;
  const size = requested ?? first.length;
  const kept = first.filter(readable);
  while (kept.length < size && token) {
    const next = await fetchMore(size - kept.length, token);
    const items = (next[key] as Record<string, unknown>[] | undefined) ?? [];
    kept.push(...items.filter(readable));
    token = items.length === 0 ? undefined : (next.next_page_token as string | undefined);
  }
  const result: Record<string, unknown> = { ...answer };
  delete result[key];
  delete result.next_page_token;
  if (kept.length > 0) result[key] = kept;
  if (token) result.next_page_token = token;
  return result;
}
