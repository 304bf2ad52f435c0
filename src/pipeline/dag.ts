/**
 * @module pipeline/dag
 * `lathe dag` renderings of the stage graph (reference/dvc.md §3 "dag"): a layered text view,
 * Mermaid (`flowchart TD`, `nodeN["name"]` with names sorted, edges sorted; `--md` fences it) and
 * Graphviz dot. Each connected pipeline is drawn separately.
 */
import { type StageGraph, stageAddress } from "./graph.js";
import type { Stage } from "./types.js";

/** Output formats of `lathe dag`. */
export type DagFormat = "text" | "mermaid" | "md" | "dot";

/** The stages to draw: all, or (with `target`) the target and its ancestors. */
function groupsOf(graph: StageGraph, targets: readonly Stage[] | undefined): Stage[][] {
  if (!targets || targets.length === 0) return graph.components();
  const picked = new Set(graph.closure(targets, "upstream"));
  return graph
    .components()
    .map((group) => group.filter((stage) => picked.has(stage)))
    .filter((group) => group.length > 0);
}

function edgesOf(graph: StageGraph, group: readonly Stage[]): [string, string][] {
  const inGroup = new Set(group);
  const edges: [string, string][] = [];
  for (const stage of group)
    for (const up of graph.upstream(stage)) if (inGroup.has(up)) edges.push([stageAddress(up), stageAddress(stage)]);
  return edges.sort((a, b) => (a[0] === b[0] ? compare(a[1], b[1]) : compare(a[0], b[0])));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function mermaid(graph: StageGraph, groups: Stage[][]): string {
  let text = "flowchart TD";
  let count = 0;
  for (const group of groups) {
    const ids = new Map<string, string>();
    for (const name of group.map(stageAddress).sort(compare)) {
      count++;
      ids.set(name, `node${count}`);
      text += `\n\t${ids.get(name)}["${name}"]`;
    }
    for (const [from, to] of edgesOf(graph, group)) text += `\n\t${ids.get(from)}-->${ids.get(to)}`;
  }
  return text;
}

function dot(graph: StageGraph, groups: Stage[][]): string {
  const lines = ["strict digraph  {"];
  for (const group of groups) {
    for (const name of group.map(stageAddress).sort(compare)) lines.push(`"${name}";`);
    for (const [from, to] of edgesOf(graph, group)) lines.push(`"${from}" -> "${to}";`);
  }
  lines.push("}");
  return lines.join("\n");
}

/** Layer of each stage: 1 + the deepest layer among its upstream stages. */
function layers(graph: StageGraph, group: readonly Stage[]): Map<Stage, number> {
  const inGroup = new Set(group);
  const layer = new Map<Stage, number>();
  for (const stage of graph.order()) {
    if (!inGroup.has(stage)) continue;
    const ups = graph.upstream(stage).filter((other) => inGroup.has(other));
    layer.set(stage, ups.length === 0 ? 1 : Math.max(...ups.map((other) => layer.get(other) ?? 1)) + 1);
  }
  return layer;
}

function text(graph: StageGraph, groups: Stage[][]): string {
  const blocks: string[] = [];
  for (const group of groups) {
    const layer = layers(graph, group);
    const inGroup = new Set(group);
    const rows = [...layer.entries()]
      .sort((a, b) => a[1] - b[1] || compare(stageAddress(a[0]), stageAddress(b[0])))
      .map(([stage, depth]) => {
        const ups = graph
          .upstream(stage)
          .filter((other) => inGroup.has(other))
          .map(stageAddress)
          .sort(compare);
        const head = `${"  ".repeat(depth - 1)}${ups.length === 0 ? "*" : "└─"} ${stageAddress(stage)}`;
        return { head, ups };
      });
    const width = Math.max(...rows.map((row) => row.head.length));
    blocks.push(
      rows
        .map((row) => (row.ups.length === 0 ? row.head : `${row.head.padEnd(width)}  ← ${row.ups.join(", ")}`))
        .join("\n"),
    );
  }
  return blocks.join("\n\n");
}

/** Renders the graph (or a target's part of it) in `format`. */
export function renderDag(graph: StageGraph, format: DagFormat = "text", targets?: readonly Stage[]): string {
  const groups = groupsOf(graph, targets);
  switch (format) {
    case "mermaid":
      return mermaid(graph, groups);
    case "md":
      return `\`\`\`mermaid\n${mermaid(graph, groups)}\n\`\`\``;
    case "dot":
      return dot(graph, groups);
    default:
      return text(graph, groups);
  }
}
