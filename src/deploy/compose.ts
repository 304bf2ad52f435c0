/**
 * @module deploy/compose
 * A Docker Compose stack for a laptop or a single host: the tracking server, the model server,
 * Prometheus scraping the model server's `/metrics`, and Grafana with Prometheus provisioned as
 * its data source and the model-server dashboard provisioned from a file.
 */
import { stringify } from "yaml";
import { buildGrafanaDashboard } from "../monitoring/grafana.js";
import { checkResourceName } from "./names.js";
import type { GeneratedFiles } from "./output.js";

export interface ComposeOptions {
  /** Project and image name (default "lathe-model"). */
  name?: string;
}

const healthcheck = (url: string) => ({
  test: ["CMD", "node", "-e", `fetch('${url}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
  interval: "15s",
  timeout: "3s",
  retries: 5,
  start_period: "20s",
});

/** `docker-compose.yml` and the Prometheus and Grafana configuration beside it. */
export function composeFiles(options: ComposeOptions = {}): GeneratedFiles {
  const name = checkResourceName(options.name ?? "lathe-model");
  const build = { context: "..", dockerfile: "deploy/Dockerfile" };
  const compose = {
    name,
    services: {
      tracking: {
        image: `${name}:latest`,
        build,
        command: [
          "server",
          "--host",
          "0.0.0.0",
          "--backend-store-uri",
          "sqlite:////data/mlruns.db",
          "--artifacts-destination",
          "/data/mlartifacts",
        ],
        ports: ["5000:5000"],
        volumes: ["tracking-data:/data"],
        healthcheck: healthcheck("http://127.0.0.1:5000/health"),
        restart: "unless-stopped",
      },
      "model-server": {
        image: `${name}:latest`,
        build,
        environment: { MLFLOW_TRACKING_URI: "http://tracking:5000" },
        ports: ["8080:8080"],
        depends_on: { tracking: { condition: "service_healthy" } },
        healthcheck: healthcheck("http://127.0.0.1:8080/v2/health/ready"),
        restart: "unless-stopped",
      },
      prometheus: {
        image: "prom/prometheus:v2.53.0",
        command: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.retention.time=15d"],
        volumes: ["./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro", "prometheus-data:/prometheus"],
        ports: ["9090:9090"],
        depends_on: ["model-server"],
        restart: "unless-stopped",
      },
      grafana: {
        image: "grafana/grafana:11.1.0",
        environment: { GF_AUTH_ANONYMOUS_ENABLED: "true", GF_AUTH_ANONYMOUS_ORG_ROLE: "Viewer" },
        volumes: [
          "./grafana/provisioning:/etc/grafana/provisioning:ro",
          "./grafana/dashboards:/var/lib/grafana/dashboards:ro",
          "grafana-data:/var/lib/grafana",
        ],
        ports: ["3000:3000"],
        depends_on: ["prometheus"],
        restart: "unless-stopped",
      },
    },
    volumes: { "tracking-data": {}, "prometheus-data": {}, "grafana-data": {} },
  };
  const prometheus = {
    global: { scrape_interval: "15s", evaluation_interval: "15s" },
    scrape_configs: [
      { job_name: "lathe-serve", metrics_path: "/metrics", static_configs: [{ targets: ["model-server:8080"] }] },
    ],
  };
  const datasource = {
    apiVersion: 1,
    datasources: [
      {
        name: "Prometheus",
        uid: "prometheus",
        type: "prometheus",
        access: "proxy",
        url: "http://prometheus:9090",
        isDefault: true,
      },
    ],
  };
  const dashboards = {
    apiVersion: 1,
    providers: [
      {
        name: "lathe",
        folder: "Lathe",
        type: "file",
        disableDeletion: false,
        options: { path: "/var/lib/grafana/dashboards" },
      },
    ],
  };
  const yaml = (value: object) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
  return {
    "docker-compose.yml": yaml(compose),
    "prometheus/prometheus.yml": yaml(prometheus),
    "grafana/provisioning/datasources/prometheus.yml": yaml(datasource),
    "grafana/provisioning/dashboards/lathe.yml": yaml(dashboards),
    "grafana/dashboards/lathe-serving.json": `${JSON.stringify(buildGrafanaDashboard({ title: `${name} serving` }), null, 2)}\n`,
  };
}
