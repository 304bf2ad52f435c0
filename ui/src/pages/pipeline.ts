/**
 * @module ui/pages/pipeline
 * The Pipeline page: the `dvc.yaml` DAG of the server's `--project` folder, laid out in layers
 * (each stage one column right of the deepest stage it reads from, ordered within a column by the
 * mean row of its upstream stages) and coloured by status, with a table of the reasons.
 */
import { type PipelineStage, pipeline } from "../api.js";
import { h, notice, replace, svg } from "../dom.js";
import type { Page } from "../router.js";

const NODE_WIDTH = 170;
const NODE_HEIGHT = 44;
const COLUMN_GAP = 70;
const ROW_GAP = 24;

interface Placed {
  stage: PipelineStage;
  layer: number;
  row: number;
}

/** Columns by dependency depth, rows ordered by upstream barycentre. */
export function layout(stages: readonly PipelineStage[], edges: readonly [string, string][]): Map<string, Placed> {
  const upstream = new Map<string, string[]>();
  for (const [from, to] of edges) upstream.set(to, [...(upstream.get(to) ?? []), from]);
  const layer = new Map<string, number>();
  const depth = (address: string, seen: Set<string>): number => {
    const known = layer.get(address);
    if (known !== undefined) return known;
    if (seen.has(address)) return 0;
    seen.add(address);
    const ups = upstream.get(address) ?? [];
    const value = ups.length === 0 ? 0 : Math.max(...ups.map((up) => depth(up, seen))) + 1;
    layer.set(address, value);
    return value;
  };
  for (const stage of stages) depth(stage.address, new Set());
  const columns = new Map<number, PipelineStage[]>();
  for (const stage of stages) {
    const column = layer.get(stage.address) ?? 0;
    columns.set(column, [...(columns.get(column) ?? []), stage]);
  }
  const placed = new Map<string, Placed>();
  for (const column of [...columns.keys()].sort((a, b) => a - b)) {
    const members = columns.get(column)!;
    const centre = (stage: PipelineStage) => {
      const rows = (upstream.get(stage.address) ?? []).map((up) => placed.get(up)?.row ?? 0);
      return rows.length === 0 ? 0 : rows.reduce((sum, row) => sum + row, 0) / rows.length;
    };
    members
      .map((stage, index) => ({ stage, key: centre(stage), index }))
      .sort((a, b) => a.key - b.key || a.index - b.index)
      .forEach(({ stage }, row) => {
        placed.set(stage.address, { stage, layer: column, row });
      });
  }
  return placed;
}

function drawDag(stages: readonly PipelineStage[], edges: readonly [string, string][]): Element {
  const placed = layout(stages, edges);
  const columns = Math.max(...[...placed.values()].map((item) => item.layer)) + 1;
  const rows = Math.max(...[...placed.values()].map((item) => item.row)) + 1;
  const width = columns * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP + 20;
  const height = rows * (NODE_HEIGHT + ROW_GAP) - ROW_GAP + 20;
  const x = (item: Placed) => 10 + item.layer * (NODE_WIDTH + COLUMN_GAP);
  const y = (item: Placed) => 10 + item.row * (NODE_HEIGHT + ROW_GAP);
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    class: "dag",
    role: "img",
    "aria-label": "Pipeline stages and their dependencies",
  });
  chart.appendChild(
    svg(
      "defs",
      {},
      svg(
        "marker",
        {
          id: "arrow",
          viewBox: "0 0 10 10",
          refX: 10,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: "auto-start-reverse",
        },
        svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow" }),
      ),
    ),
  );
  for (const [from, to] of edges) {
    const a = placed.get(from);
    const b = placed.get(to);
    if (!a || !b) continue;
    const x1 = x(a) + NODE_WIDTH;
    const y1 = y(a) + NODE_HEIGHT / 2;
    const x2 = x(b);
    const y2 = y(b) + NODE_HEIGHT / 2;
    const bend = (x2 - x1) / 2;
    chart.appendChild(
      svg("path", {
        d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`,
        class: "edge",
        "marker-end": "url(#arrow)",
      }),
    );
  }
  for (const item of placed.values()) {
    const state = item.stage.state.replace(/ /g, "-");
    const title = svg("title");
    title.textContent = `${item.stage.address}: ${item.stage.state}\n${item.stage.cmd.join("\n")}`;
    const label = svg("text", { x: x(item) + 10, y: y(item) + 19, class: "node-name" });
    label.textContent = item.stage.address.length > 22 ? `${item.stage.address.slice(0, 21)}…` : item.stage.address;
    const sub = svg("text", { x: x(item) + 10, y: y(item) + 35, class: "node-state" });
    sub.textContent = item.stage.state;
    chart.appendChild(
      svg(
        "g",
        { class: `node state-${state}`, tabindex: 0, "data-stage": item.stage.address },
        title,
        svg("rect", { x: x(item), y: y(item), width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }),
        label,
        sub,
      ),
    );
  }
  return chart;
}

function reasonText(reasons: readonly unknown[]): string {
  return reasons.map((reason) => (typeof reason === "string" ? reason : JSON.stringify(reason))).join("; ");
}

export const pipelinePage: Page = async (root) => {
  const view = await pipeline();
  const head = h("header.page-head", {}, h("h1", {}, "Pipeline"));
  if (!view.enabled) {
    replace(root, head, notice(view.message));
    return;
  }
  if (view.stages.length === 0) {
    replace(root, head, h("p.muted", {}, view.project), notice("This project has no stages: add them to dvc.yaml."));
    return;
  }
  replace(
    root,
    head,
    h("p.muted", {}, view.project),
    h(
      "ul.legend",
      {},
      ["up to date", "changed", "never run", "frozen"].map((state) =>
        h("li", {}, h(`span.swatch.state-${state.replace(/ /g, "-")}`), state),
      ),
    ),
    h("section.card.dag-wrap", { "aria-label": "Stage graph" }, drawDag(view.stages, view.edges)),
    h(
      "section.card",
      { "aria-labelledby": "stages-title" },
      h("h2#stages-title", {}, "Stages"),
      h(
        "div.table-wrap",
        {},
        h(
          "table.data",
          {},
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Stage", "Status", "Command", "Why"].map((title) => h("th", { scope: "col" }, title)),
            ),
          ),
          h(
            "tbody",
            {},
            view.stages.map((stage) =>
              h(
                "tr",
                { "data-stage": stage.address },
                h("th", { scope: "row" }, stage.address),
                h(`td`, {}, h(`span.badge.state-${stage.state.replace(/ /g, "-")}`, {}, stage.state)),
                h("td.mono", {}, stage.cmd.join(" && ")),
                h("td", {}, reasonText(stage.reasons)),
              ),
            ),
          ),
        ),
      ),
    ),
  );
};
