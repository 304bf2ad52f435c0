/**
 * `lathe deploy docker` and `lathe deploy compose`: a multi-stage, non-root image with a health
 * check and the model baked in or fetched; a stack with tracking, serving, Prometheus and Grafana.
 */
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { composeFiles, deployCompose, deployDocker, dockerFiles } from "../../src/deploy/index.js";

let folder: string;
beforeAll(async () => {
  folder = await realpath(await mkdtemp(join(tmpdir(), "lathe-docker-")));
});
afterAll(async () => rm(folder, { recursive: true, force: true }));

describe("dockerFiles", () => {
  it("builds in one stage and runs as a non-root user in another, with a health check on the V2 route", () => {
    const text = dockerFiles({ name: "churn" }).Dockerfile!;
    expect(text.match(/^FROM /gm)).toHaveLength(2);
    expect(text).toMatch(/AS build\n[\s\S]*RUN npm ci/);
    expect(text).toMatch(/^USER 10001:10001$/m);
    expect(text).toMatch(/^HEALTHCHECK [\s\S]*\/v2\/health\/ready/m);
    expect(text).toMatch(/^EXPOSE 8080$/m);
    expect(text).toContain("COPY --chown=10001:10001 models/model /opt/model");
    expect(text).toContain('CMD ["serve", "/opt/model", "--name", "churn"]');
  });

  it("fetches a models:/ URI at start through MLFLOW_TRACKING_URI", () => {
    const text = dockerFiles({ model: "models:/churn@champion" }).Dockerfile!;
    expect(text).not.toContain("/opt/model");
    expect(text).toContain("ENV MLFLOW_TRACKING_URI=");
    expect(text).toContain('CMD ["serve", "models:/churn@champion"');
  });

  it("keeps the baked model in the build context and rejects one outside it", () => {
    expect(dockerFiles({ model: "models/best/" })[".dockerignore"]).toContain("!models/best");
    expect(() => dockerFiles({ model: "../elsewhere" })).toThrow(/outside the build context/);
  });

  it("writes into --out and notes what is missing", async () => {
    const result = await deployDocker({ out: join(folder, "deploy"), cwd: folder });
    expect(result.written).toHaveLength(3);
    expect(result.notes.join("\n")).toContain("package-lock.json");
    expect(result.notes.join("\n")).toContain("holds no MLmodel");
  });
});

describe("composeFiles", () => {
  it("runs the tracking server, the model server, Prometheus and a provisioned Grafana", () => {
    const files = composeFiles({ name: "churn" });
    const compose = parse(files["docker-compose.yml"]!) as { services: Record<string, Record<string, unknown>> };
    expect(Object.keys(compose.services)).toEqual(["tracking", "model-server", "prometheus", "grafana"]);
    expect(compose.services["model-server"]!.environment).toEqual({ MLFLOW_TRACKING_URI: "http://tracking:5000" });
    const prometheus = parse(files["prometheus/prometheus.yml"]!) as {
      scrape_configs: { static_configs: { targets: string[] }[]; metrics_path: string }[];
    };
    expect(prometheus.scrape_configs[0]!.static_configs[0]!.targets).toEqual(["model-server:8080"]);
    expect(prometheus.scrape_configs[0]!.metrics_path).toBe("/metrics");
    const datasource = parse(files["grafana/provisioning/datasources/prometheus.yml"]!) as {
      datasources: { type: string; url: string }[];
    };
    expect(datasource.datasources[0]).toMatchObject({ type: "prometheus", url: "http://prometheus:9090" });
    const dashboard = JSON.parse(files["grafana/dashboards/lathe-serving.json"]!) as { panels: unknown[] };
    expect(dashboard.panels.length).toBeGreaterThan(0);
    expect(files["grafana/provisioning/dashboards/lathe.yml"]).toContain("/var/lib/grafana/dashboards");
  });

  it("writes the stack and says to create the Dockerfile first", async () => {
    const result = await deployCompose({ out: join(folder, "stack") });
    expect(result.written).toHaveLength(5);
    expect(result.notes.join("\n")).toContain("lathe deploy docker");
  });
});
