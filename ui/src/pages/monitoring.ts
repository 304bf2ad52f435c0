/**
 * @module ui/pages/monitoring
 * Monitoring per served model: `lathe monitor run` logs each window's results to the experiment
 * `monitoring-<model>` (step = window index). This page lists those experiments and, for one
 * model, charts a monitoring run's windows — drift p-value per feature, the share of drifted
 * features, prediction drift, accuracy/F1 from feedback and any latency, throughput or error
 * metrics — and lists the windows that raised drift alerts.
 */
import { type Metric, metricHistory, type Run, searchExperiments, searchRuns } from "../api.js";
import { type Chart, lineChart } from "../chart.js";
import { formatNumber, formatTime, h, notice, replace } from "../dom.js";
import { mapLimit } from "../metric-charts.js";
import type { Page } from "../router.js";

const PREFIX = "monitoring-";

interface Group {
  title: string;
  keys: string[];
  /** Series labels without the common prefix. */
  strip?: string;
}

function groupsOf(keys: readonly string[]): Group[] {
  const used = new Set<string>();
  const take = (title: string, test: (key: string) => boolean, strip?: string): Group | undefined => {
    const picked = keys.filter((key) => !used.has(key) && test(key));
    for (const key of picked) used.add(key);
    return picked.length > 0 ? { title, keys: picked, strip } : undefined;
  };
  const groups = [
    take("Drift p-value per feature", (key) => key.startsWith("drift_p_value."), "drift_p_value."),
    take("Drift summary", (key) => ["drift_p_value", "share_of_drifted_columns", "dataset_drift"].includes(key)),
    take("Prediction drift", (key) => key.startsWith("prediction_drift")),
    take("Accuracy from feedback", (key) => /^(accuracy|f1|precision|recall|rmse|mae|r2)/.test(key)),
    take("Latency", (key) => /latency|duration/.test(key)),
    take("Throughput", (key) => /throughput|rows|count|requests/.test(key)),
    take("Errors", (key) => /error/.test(key)),
  ];
  const rest = keys.filter((key) => !used.has(key));
  if (rest.length > 0) groups.push({ title: "Other", keys: rest });
  return groups.filter((group): group is Group => group !== undefined);
}

function alertsOf(histories: ReadonlyMap<string, Metric[]>): HTMLElement {
  const alerts: { step: number; text: string }[] = [];
  for (const point of histories.get("dataset_drift") ?? [])
    if (point.value >= 1) {
      const share = histories.get("share_of_drifted_columns")?.find((other) => other.step === point.step)?.value;
      alerts.push({
        step: point.step,
        text: `Dataset drift${share !== undefined ? ` (${formatNumber(share * 100)}% of features drifted)` : ""}`,
      });
    }
  for (const point of histories.get("prediction_drift") ?? [])
    if (point.value >= 1) alerts.push({ step: point.step, text: "Prediction drift" });
  if (alerts.length === 0) return notice("No drift alerts in this run's windows.");
  return h(
    "ul.alerts",
    { role: "list" },
    alerts
      .sort((a, b) => a.step - b.step)
      .map((alert) => h("li.alert", {}, h("strong", {}, `Window ${alert.step}: `), alert.text)),
  );
}

async function modelView(
  root: HTMLElement,
  model: string,
  experimentId: string,
  runId: string | null,
): Promise<() => void> {
  const page = await searchRuns({
    experimentIds: [experimentId],
    orderBy: ["attributes.start_time DESC"],
    maxResults: 50,
  });
  const runs = page.runs ?? [];
  const head = h(
    "header.page-head",
    {},
    h("nav.crumbs", {}, h("a", { href: "#/monitoring" }, "Monitoring"), " / "),
    h("h1", {}, model),
  );
  if (runs.length === 0) {
    replace(root, head, notice(`No monitoring runs yet. Run \`lathe monitor run --model models:/${model}@champion\`.`));
    return () => {};
  }
  const run: Run = runs.find((item) => item.info.run_id === runId) ?? runs[0]!;
  const picker = h(
    "select",
    { "aria-label": "Monitoring run" },
    runs.map((item) =>
      h(
        "option",
        { value: item.info.run_id, selected: item.info.run_id === run.info.run_id },
        `${item.info.run_name ?? item.info.run_id} — ${formatTime(item.info.start_time)}`,
      ),
    ),
  ) as HTMLSelectElement;
  picker.addEventListener("change", () => {
    location.hash = `#/monitoring/${encodeURIComponent(model)}?run=${encodeURIComponent(picker.value)}`;
  });
  const keys = (run.data.metrics ?? []).map((metric) => metric.key).sort();
  const loaded = await mapLimit(keys, 6, (key) => metricHistory(run.info.run_id, key));
  const histories = new Map(keys.map((key, index) => [key, loaded[index]!]));
  const charts: Chart[] = [];
  const groups = groupsOf(keys);
  const cells = groups.map((group) => h("figure.chart", { "data-group": group.title }));
  replace(
    root,
    head,
    h(
      "div.toolbar",
      {},
      h("label", {}, "Run ", picker),
      h("a", { href: `#/runs/${encodeURIComponent(run.info.run_id)}` }, "Open the run"),
    ),
    h("section.card", { "aria-labelledby": "alerts-title" }, h("h2#alerts-title", {}, "Alerts"), alertsOf(histories)),
    h(
      "section.card",
      { "aria-labelledby": "windows-title" },
      h("h2#windows-title", {}, "Windows"),
      keys.length === 0 ? notice("This run has no metrics.") : h("div.chart-grid", {}, cells),
    ),
  );
  groups.forEach((group, index) => {
    const lines = group.keys.map((key) => ({
      label: group.strip ? key.slice(group.strip.length) : key,
      points: histories.get(key) ?? [],
    }));
    charts.push(lineChart(cells[index]!, lines, { title: group.title, axis: "step", smoothing: 0, log: false }));
  });
  return () => {
    for (const chart of charts) chart.destroy();
  };
}

export const monitoringPage: Page = async (root, route) => {
  const experiments = (await searchExperiments()).filter(
    (experiment) => experiment.name.startsWith(PREFIX) && experiment.lifecycle_stage === "active",
  );
  const model = route.params[0];
  if (model) {
    const experiment = experiments.find((item) => item.name === `${PREFIX}${model}`);
    if (!experiment) {
      replace(
        root,
        notice(
          `No monitoring experiment '${PREFIX}${model}'. Run \`lathe monitor run\` for that model first.`,
          "error",
        ),
      );
      return;
    }
    return modelView(root, model, experiment.experiment_id, route.query.get("run"));
  }
  replace(
    root,
    h("header.page-head", {}, h("h1", {}, "Monitoring")),
    experiments.length === 0
      ? notice(
          "No monitored models yet. `lathe monitor run --model models:/<name>@champion --log-dir <predictions>` logs each window here.",
        )
      : h(
          "ul.card-list",
          {},
          experiments.map((experiment) => {
            const name = experiment.name.slice(PREFIX.length);
            return h(
              "li.card",
              {},
              h("a", { href: `#/monitoring/${encodeURIComponent(name)}` }, name),
              h("span.muted", {}, ` updated ${formatTime(experiment.last_update_time)}`),
            );
          }),
        ),
  );
};
