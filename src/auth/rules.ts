/**
 * @module auth/rules
 * Deny by default: every route the server mounts maps here to what a caller needs, following
 * MLflow's basic-auth app (reference/mlflow.md §7): reads need READ, writes need EDIT, deletes and
 * restores need MANAGE, granting needs MANAGE, user administration is for admins (or the user
 * themself). A route with no rule is refused to everyone but admins.
 */
import type { Endpoint } from "../server/endpoint.js";
import type { Capability } from "./permissions.js";

/** Where a request's experiment or registered model comes from. */
export type Resolver =
  /** `experiment_id`; `fallback` when absent (runs/create uses the Default experiment "0"). */
  | { readonly from: "experiment_id"; readonly fallback?: string }
  | { readonly from: "experiment_name" }
  /** `run_id` (or its alias `run_uuid`) → the run's experiment; `optional`: nothing to check when absent. */
  | { readonly from: "run_id"; readonly optional?: boolean }
  /** A list of run ids in `field` → every run's experiment. */
  | { readonly from: "run_ids"; readonly field: string }
  /** A registered model's `name`. */
  | { readonly from: "model_name" }
  /** An artifact proxy path `<experiment_id>/<run_id>/artifacts/...`; unresolvable paths are admin-only. */
  | { readonly from: "artifact_path" };

/** Which search answers are filtered to what the caller may read. */
export type SearchKind = "experiments" | "runs" | "registered_models" | "model_versions";

export type Rule =
  | { readonly access: "public" }
  | { readonly access: "authenticated" }
  | { readonly access: "admin" }
  /** An admin, or the user named by the `username` field. */
  | { readonly access: "self" }
  /** `need` on `resource`, and on `also` when given (a request that shows both, e.g. a model and its run). */
  | { readonly access: "resource"; readonly need: Capability; readonly resource: Resolver; readonly also?: Resolver }
  | { readonly access: "search"; readonly search: SearchKind };

const experimentId: Resolver = { from: "experiment_id" };
const run: Resolver = { from: "run_id" };
const model: Resolver = { from: "model_name" };
const on = (need: Capability, resource: Resolver): Rule => ({ access: "resource", need, resource });

/**
 * Endpoints under `/api/2.0/mlflow/` and `/ajax-api/2.0/mlflow/`, by "METHOD path" (HEAD as GET).
 * Creating an experiment or a registered model only needs a signed-in user, who then gets MANAGE.
 */
export const ENDPOINT_RULES: Readonly<Record<string, Rule>> = {
  "POST experiments/create": { access: "authenticated" },
  "GET experiments/get": on("read", experimentId),
  "GET experiments/get-by-name": on("read", { from: "experiment_name" }),
  "POST experiments/search": { access: "search", search: "experiments" },
  "GET experiments/search": { access: "search", search: "experiments" },
  "GET experiments/list": { access: "search", search: "experiments" },
  "POST experiments/update": on("update", experimentId),
  "POST experiments/delete": on("delete", experimentId),
  "POST experiments/restore": on("delete", experimentId),
  "POST experiments/set-experiment-tag": on("update", experimentId),
  "POST experiments/delete-experiment-tag": on("update", experimentId),

  "POST runs/create": on("update", { from: "experiment_id", fallback: "0" }),
  "GET runs/get": on("read", run),
  "POST runs/update": on("update", run),
  "POST runs/delete": on("delete", run),
  "POST runs/restore": on("delete", run),
  "POST runs/log-metric": on("update", run),
  "POST runs/log-parameter": on("update", run),
  "POST runs/set-tag": on("update", run),
  "POST runs/delete-tag": on("update", run),
  "POST runs/log-batch": on("update", run),
  "POST runs/log-model": on("update", run),
  "POST runs/log-inputs": on("update", run),
  "POST runs/search": { access: "search", search: "runs" },
  "GET runs/search": { access: "search", search: "runs" },

  "GET metrics/get-history": on("read", run),
  "GET metrics/get-history-bulk-interval": on("read", { from: "run_ids", field: "run_ids" }),
  "GET metrics/get-history-bulk": on("read", { from: "run_ids", field: "run_id" }),
  "GET artifacts/list": on("read", run),

  "POST registered-models/create": { access: "authenticated" },
  "POST registered-models/rename": on("update", model),
  "PATCH registered-models/update": on("update", model),
  "DELETE registered-models/delete": on("delete", model),
  "GET registered-models/get": on("read", model),
  "GET registered-models/search": { access: "search", search: "registered_models" },
  "POST registered-models/get-latest-versions": on("read", model),
  "GET registered-models/get-latest-versions": on("read", model),
  "POST registered-models/set-tag": on("update", model),
  "DELETE registered-models/delete-tag": on("delete", model),
  "POST registered-models/alias": on("update", model),
  "DELETE registered-models/alias": on("delete", model),
  "GET registered-models/alias": on("read", model),
  "GET registry/history": on("read", model),

  "POST model-versions/create": on("update", model),
  "PATCH model-versions/update": on("update", model),
  "POST model-versions/transition-stage": on("update", model),
  "DELETE model-versions/delete": on("delete", model),
  "GET model-versions/get": on("read", model),
  "GET model-versions/search": { access: "search", search: "model_versions" },
  "GET model-versions/get-download-uri": on("read", model),
  "POST model-versions/set-tag": on("update", model),
  "DELETE model-versions/delete-tag": on("delete", model),

  // The web UI's routes: file downloads as MLflow guards them, and Lathe's own.
  "GET get-artifact": on("read", run),
  "GET model-versions/get-artifact": on("read", model),
  "POST upload-artifact": on("update", run),
  "POST lathe/registry/rollback": on("update", model),
  // The card shows the source run's params and metrics too: READ on the model and on the run's experiment.
  "GET lathe/registry/model-card": {
    access: "resource",
    need: "read",
    resource: model,
    also: { from: "run_id", optional: true },
  },
  "GET lathe/search/check-filter": { access: "authenticated" },
  "GET lathe/pipeline": { access: "authenticated" },

  // MLflow's auth REST API (served by auth/routes.ts).
  "POST users/create": { access: "admin" },
  "GET users/get": { access: "self" },
  "PATCH users/update-password": { access: "self" },
  "PATCH users/update-admin": { access: "admin" },
  "DELETE users/delete": { access: "admin" },
  "POST experiments/permissions/create": on("manage", experimentId),
  "GET experiments/permissions/get": on("manage", experimentId),
  "PATCH experiments/permissions/update": on("manage", experimentId),
  "DELETE experiments/permissions/delete": on("manage", experimentId),
  "POST registered-models/permissions/create": on("manage", model),
  "GET registered-models/permissions/get": on("manage", model),
  "PATCH registered-models/permissions/update": on("manage", model),
  "DELETE registered-models/permissions/delete": on("manage", model),
};

/** Lathe's own routes under `/api/2.0/lathe/`; the token routes check ownership themselves. */
export const LATHE_RULES: Readonly<Record<string, Rule>> = {
  "POST tokens/create": { access: "authenticated" },
  "GET tokens/list": { access: "authenticated" },
  "POST tokens/revoke": { access: "authenticated" },
  "GET audit-log": { access: "admin" },
};

/** The artifact proxy by method: download and list READ, upload and multipart EDIT, delete MANAGE (CVE-2024-4263). */
const PROXY_RULES: Readonly<Record<string, Rule>> = {
  GET: on("read", { from: "artifact_path" }),
  PUT: on("update", { from: "artifact_path" }),
  POST: on("update", { from: "artifact_path" }),
  DELETE: on("delete", { from: "artifact_path" }),
};

/** Routes anyone may call (MLflow leaves /health and /metrics open too). */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(["/health", "/version", "/openapi.json", "/metrics"]);

export const API_PREFIXES = ["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"] as const;
export const LATHE_PREFIX = "/api/2.0/lathe/";
export const PROXY_PREFIX = "/api/2.0/mlflow-artifacts/";

/**
 * The rule of a mounted route, by its pattern (`request.routeOptions.url`, never the raw URL, so no
 * spelling of a path reaches a different rule than the handler it reaches) and method. `canonical`
 * maps an endpoint alias to its path. Undefined means no rule: refused.
 */
export function ruleFor(
  url: string,
  method: string,
  canonical: (path: string) => string = (path) => path,
): Rule | undefined {
  const verb = method === "HEAD" ? "GET" : method;
  if (PUBLIC_ROUTES.has(url) && verb === "GET") return { access: "public" };
  for (const prefix of API_PREFIXES) {
    if (url.startsWith(prefix)) return ENDPOINT_RULES[`${verb} ${canonical(url.slice(prefix.length))}`];
  }
  if (url.startsWith(LATHE_PREFIX)) return LATHE_RULES[`${verb} ${url.slice(LATHE_PREFIX.length)}`];
  if (url.startsWith(PROXY_PREFIX)) return PROXY_RULES[verb];
  // MLflow serves the UI's file downloads outside the API prefixes.
  if (url === "/get-artifact" || url === "/model-versions/get-artifact")
    return ENDPOINT_RULES[`${verb} ${url.slice(1)}`];
  // The web UI's pages and static files: any signed-in user; the data they show goes through the API.
  if (verb === "GET" && !url.startsWith("/api/") && !url.startsWith("/ajax-api/")) return { access: "authenticated" };
  return undefined;
}

/** Maps an endpoint alias (a misspelled path some clients call) to the endpoint's own path. */
export function aliasResolver(endpoints: readonly Endpoint[]): (path: string) => string {
  const canonical = new Map<string, string>();
  for (const endpoint of endpoints) {
    for (const alias of endpoint.aliases ?? []) canonical.set(alias, endpoint.path);
  }
  return (path) => canonical.get(path) ?? path;
}
