import { describe, expect, it } from "vitest";
import { allows, canonicalExperimentId, PERMISSIONS, parsePermission } from "./permissions.js";
import { ruleFor } from "./rules.js";

describe("ruleFor", () => {
  it("leaves only GET /health, /version, /openapi.json and /metrics public", () => {
    for (const url of ["/health", "/version", "/openapi.json", "/metrics"]) {
      expect(ruleFor(url, "GET")).toEqual({ access: "public" });
      expect(ruleFor(url, "HEAD")).toEqual({ access: "public" });
      expect(ruleFor(url, "POST")).toBeUndefined();
    }
  });

  it("looks endpoints up under both API prefixes, HEAD as GET, aliases through the resolver", () => {
    const get = ruleFor("/api/2.0/mlflow/runs/get", "GET");
    expect(get).toEqual({ access: "resource", need: "read", resource: { from: "run_id" } });
    expect(ruleFor("/ajax-api/2.0/mlflow/runs/get", "HEAD")).toEqual(get);
    expect(ruleFor("/api/2.0/mlflow/runs/get", "POST")).toBeUndefined();
    const alias = (path: string) => (path === "old-name" ? "experiments/set-experiment-tag" : path);
    expect(ruleFor("/api/2.0/mlflow/old-name", "POST", alias)).toEqual(
      ruleFor("/api/2.0/mlflow/experiments/set-experiment-tag", "POST"),
    );
  });

  it("guards the artifact proxy by method: GET READ, PUT EDIT, DELETE MANAGE", () => {
    const need = (method: string) => {
      const rule = ruleFor("/api/2.0/mlflow-artifacts/artifacts/*", method);
      return rule?.access === "resource" ? rule.need : undefined;
    };
    expect([need("GET"), need("PUT"), need("DELETE")]).toEqual(["read", "update", "delete"]);
    expect(need("PATCH")).toBeUndefined();
  });
});

describe("permissions", () => {
  it("grows from NO_PERMISSIONS to MANAGE as MLflow's do", () => {
    const table = PERMISSIONS.map((permission) =>
      (["read", "use", "update", "delete", "manage"] as const).filter((capability) => allows(permission, capability)),
    );
    expect(table).toEqual([
      [],
      ["read"],
      ["read", "use"],
      ["read", "use", "update"],
      ["read", "use", "update", "delete", "manage"],
    ]);
  });

  it("parses names in any case and refuses others with the list", () => {
    expect(parsePermission("edit")).toBe("EDIT");
    expect(() => parsePermission("OWNER")).toThrow(/use one of NO_PERMISSIONS, READ, USE, EDIT, MANAGE/);
  });

  it("compares experiment ids as the store reads them", () => {
    expect(canonicalExperimentId("007")).toBe("7");
    expect(canonicalExperimentId("0")).toBe("0");
    expect(canonicalExperimentId("myexperiment")).toBe("myexperiment");
  });
});
