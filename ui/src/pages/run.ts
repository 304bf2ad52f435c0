/**
 * @module ui/pages/run
 * The Run page: overview, params, latest metrics, one chart per metric history, tags (user tags
 * apart from system and environment tags), dataset inputs, environment, energy, and the artifact
 * browser.
 */
import { getExperiment, getRun, type KeyValue, metricHistory, type Run } from "../api.js";
import { artifactBrowser } from "../artifacts.js";
import { formatDuration, formatNumber, formatTime, h, notice, replace } from "../dom.js";
import { mapLimit, metricCharts } from "../metric-charts.js";
import type { Page } from "../router.js";

function keyValueTable(rows: readonly (readonly [string, string])[], caption: string, empty: string): HTMLElement {
  if (rows.length === 0) return notice(empty);
  return h(
    "div.table-wrap",
    {},
    h(
      "table.data.kv",
      {},
      h("caption.sr-only", {}, caption),
      h(
        "tbody",
        {},
        rows.map(([key, value]) => h("tr", {}, h("th", { scope: "row" }, key), h("td", {}, value))),
      ),
    ),
  );
}

function section(title: string, id: string, ...content: (HTMLElement | null)[]): HTMLElement {
  return h("section.card", { id, "aria-labelledby": `${id}-title` }, h(`h2#${id}-title`, {}, title), content);
}

const isEnvironment = (tag: KeyValue) => tag.key.startsWith("lathe.env.");
const isSystem = (tag: KeyValue) =>
  tag.key.startsWith("mlflow.") || (tag.key.startsWith("lathe.") && !isEnvironment(tag));

function overview(run: Run, experimentName: string): HTMLElement {
  const info = run.info;
  const rows: [string, string][] = [
    ["Run ID", info.run_id],
    ["Experiment", experimentName],
    ["Status", info.status],
    ["Started", formatTime(info.start_time)],
    ["Duration", info.end_time && info.start_time ? formatDuration(info.end_time - info.start_time) : "running"],
    ["User", info.user_id ?? ""],
    ["Artifact URI", info.artifact_uri],
  ];
  return keyValueTable(rows, "Overview", "");
}

function datasets(run: Run): HTMLElement {
  const inputs = run.inputs?.dataset_inputs ?? [];
  if (inputs.length === 0) return notice("No dataset inputs logged.");
  return h(
    "div.table-wrap",
    {},
    h(
      "table.data",
      {},
      h("caption", {}, "Dataset inputs"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Name", "Digest", "Source", "Context"].map((title) => h("th", { scope: "col" }, title)),
        ),
      ),
      h(
        "tbody",
        {},
        inputs.map((input) =>
          h(
            "tr",
            {},
            h("td", {}, input.dataset.name),
            h("td.mono", {}, input.dataset.digest),
            h("td", {}, `${input.dataset.source_type}: ${input.dataset.source}`),
            h("td", {}, input.tags?.map((tag) => `${tag.key}=${tag.value}`).join(", ") ?? ""),
          ),
        ),
      ),
    ),
  );
}

function energy(run: Run): HTMLElement {
  const metrics = run.data.metrics ?? [];
  const find = (key: string) => metrics.find((metric) => metric.key === key)?.value;
  const rows: [string, string][] = [];
  const kwh = find("energy_kwh");
  const co2 = find("emissions_kg");
  if (kwh !== undefined) rows.push(["Energy", `${formatNumber(kwh)} kWh`]);
  if (co2 !== undefined) rows.push(["Emissions", `${formatNumber(co2)} kg CO₂e`]);
  return keyValueTable(
    rows,
    "Energy",
    "No energy measured for this run (lathe train and tracked pipeline stages log it).",
  );
}

export const runPage: Page = async (root, route) => {
  const runId = route.params[0];
  if (!runId) {
    replace(root, notice("No run given. Open a run from an experiment's table.", "error"));
    return;
  }
  const run = await getRun(runId);
  const experiment = await getExperiment(run.info.experiment_id).catch(() => undefined);
  const tags = run.data.tags ?? [];
  const name = run.info.run_name ?? run.info.run_id;
  const metrics = [...(run.data.metrics ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const params = [...(run.data.params ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const chartsSlot = h("div", {}, h("p.loading", {}, "Loading metric histories…"));
  const artifactsSlot = h("div", {}, h("p.loading", {}, "Loading artifacts…"));

  replace(
    root,
    h(
      "header.page-head",
      {},
      h(
        "nav.crumbs",
        { "aria-label": "Breadcrumb" },
        h(
          "a",
          { href: `#/experiments/${encodeURIComponent(run.info.experiment_id)}` },
          experiment?.name ?? "Experiment",
        ),
        " / ",
      ),
      h("h1", {}, name),
      h(`span.badge.status-${run.info.status.toLowerCase()}`, {}, run.info.status),
    ),
    h(
      "nav.page-tabs",
      { "aria-label": "Run sections" },
      ["overview", "params", "metrics", "charts", "tags", "inputs", "environment", "energy", "artifacts"].map((id) =>
        h("a", { href: `#/runs/${encodeURIComponent(runId)}?section=${id}`, "data-target": id }, id),
      ),
    ),
    h(
      "div.run-grid",
      {},
      section("Overview", "overview", overview(run, experiment?.name ?? run.info.experiment_id)),
      section(
        "Params",
        "params",
        keyValueTable(
          params.map((param) => [param.key, param.value] as const),
          "Params",
          "No params logged.",
        ),
      ),
      section(
        "Metrics",
        "metrics",
        keyValueTable(
          metrics.map((metric) => [metric.key, `${formatNumber(metric.value)} (step ${metric.step})`] as const),
          "Latest metrics",
          "No metrics logged.",
        ),
      ),
    ),
    section("Metric charts", "charts", chartsSlot),
    section(
      "Tags",
      "tags",
      keyValueTable(
        tags.filter((tag) => !isSystem(tag) && !isEnvironment(tag)).map((tag) => [tag.key, tag.value] as const),
        "Tags",
        "No user tags.",
      ),
      h(
        "details",
        {},
        h("summary", {}, "System tags"),
        keyValueTable(
          tags
            .filter(isSystem)
            .map((tag) => [tag.key, tag.value.length > 400 ? `${tag.value.slice(0, 400)}…` : tag.value] as const),
          "System tags",
          "None.",
        ),
      ),
    ),
    section("Dataset inputs", "inputs", datasets(run)),
    section(
      "Environment",
      "environment",
      keyValueTable(
        tags.filter(isEnvironment).map((tag) => [tag.key.replace(/^lathe\.env\./, ""), tag.value] as const),
        "Environment",
        "No environment recorded.",
      ),
    ),
    section("Energy", "energy", energy(run)),
    section("Artifacts", "artifacts", artifactsSlot),
  );

  // Tab links scroll to their section without changing the route.
  for (const link of root.querySelectorAll<HTMLAnchorElement>(".page-tabs a")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      document.getElementById(link.dataset.target ?? "")?.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  }

  let destroyCharts: (() => void) | undefined;
  const keys = metrics.map((metric) => metric.key);
  const [histories, browser] = await Promise.all([
    mapLimit(keys, 6, (key) => metricHistory(runId, key)),
    artifactBrowser(runId, route.query.get("artifact") ?? undefined),
  ]);
  replace(artifactsSlot, browser);
  if (keys.length === 0) replace(chartsSlot, notice("No metrics logged."));
  else {
    const charts = metricCharts(new Map(keys.map((key, index) => [key, [{ label: name, points: histories[index]! }]])));
    destroyCharts = () => charts.destroy();
    replace(chartsSlot, charts.element);
  }
  const target = route.query.get("section");
  if (target) document.getElementById(target)?.scrollIntoView({ block: "start" });
  return () => destroyCharts?.();
};
