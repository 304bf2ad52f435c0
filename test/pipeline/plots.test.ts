/**
 * Plots: data readers, chart building (defaults, templates, confusion counts), the SVG/HTML page,
 * the rasteriser and PNG encoder, and `lathe plots show|diff` against temporary git repositories.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildChart, type ChartDefinition, type DataLoader } from "../../src/pipeline/plots/chart.js";
import { readPlotData } from "../../src/pipeline/plots/data.js";
import { glyphRows } from "../../src/pipeline/plots/font.js";
import { layoutChart, niceTicks } from "../../src/pipeline/plots/layout.js";
import { crc32, encodePng } from "../../src/pipeline/plots/png.js";
import { rasterize } from "../../src/pipeline/plots/raster.js";
import { collectCharts, fileNameFor, renderPlots } from "../../src/pipeline/plots/show.js";
import { sceneToSvg } from "../../src/pipeline/plots/svg.js";
import { commitAll, lathe, makeRepo, removeRepo, writeFiles } from "./metrics-helpers.js";

interface DecodedPng {
  width: number;
  height: number;
  colorType: number;
  /** Pixels that are not white. */
  inked: number;
}

/** Decodes an 8-bit RGB PNG written with filter 0, checking every chunk's CRC. */
function decodePng(bytes: Buffer): DecodedPng {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  const types: string[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString("ascii", offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    expect(bytes.readUInt32BE(offset + 8 + length)).toBe(crc32(bytes.subarray(offset + 4, offset + 8 + length)));
    types.push(type);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      colorType = data[9]!;
    }
    if (type === "IDAT") idat.push(data);
    offset += length + 12;
  }
  expect(types[0]).toBe("IHDR");
  expect(types.at(-1)).toBe("IEND");
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe((width * 3 + 1) * height);
  let inked = 0;
  for (let row = 0; row < height; row++) {
    const start = row * (width * 3 + 1);
    expect(raw[start]).toBe(0);
    for (let x = 0; x < width; x++) {
      const pixel = start + 1 + x * 3;
      if (raw[pixel] !== 255 || raw[pixel + 1] !== 255 || raw[pixel + 2] !== 255) inked += 1;
    }
  }
  return { width, height, colorType, inked };
}

function loaderOf(files: Record<string, Record<string, unknown>[]>): DataLoader {
  return async (revision, path) => files[`${revision}:${path}`] as never;
}

describe("plot data", () => {
  it("reads CSV, TSV, JSON lists, JSON mappings to a list, and YAML", () => {
    expect(readPlotData("a.csv", "step,loss\n0,1.5\n1,0.5\n")).toEqual([
      { step: 0, loss: 1.5 },
      { step: 1, loss: 0.5 },
    ]);
    expect(readPlotData("a.tsv", 'x\tlabel\n1\t"a b"\n')).toEqual([{ x: 1, label: "a b" }]);
    expect(readPlotData("a.json", '[{"x": 1, "y": 2}]')).toEqual([{ x: 1, y: 2 }]);
    expect(readPlotData("roc.json", '{"roc": [{"fpr": 0, "tpr": 0.5}]}')).toEqual([{ fpr: 0, tpr: 0.5 }]);
    expect(readPlotData("a.yaml", "- {x: 1, y: 2}\n- {x: 2, y: 3}\n")).toHaveLength(2);
    expect(readPlotData("raw.csv", "1,0.5\n2,0.25\n", undefined, { header: false })).toEqual([
      { "0": 1, "1": 0.5 },
      { "0": 2, "1": 0.25 },
    ]);
  });

  it("refuses data that is not a list of records, naming the file and the shape wanted", () => {
    expect(() => readPlotData("p.json", '{"acc": 1}', "HEAD")).toThrow(
      /'p.json' at HEAD is not plot data.*list of records/,
    );
    expect(() => readPlotData("p.json", "[1,")).toThrow(/'p.json' is not valid JSON/);
  });
});

describe("charts", () => {
  const rows = [
    { epoch: 1, loss: 0.9, acc: 0.5 },
    { epoch: 2, loss: 0.6, acc: 0.7 },
  ];

  it("defaults x to the row index (step) and y to the last column", async () => {
    const chart = await buildChart(
      { id: "log.csv", path: "log.csv", base: "." },
      ["workspace"],
      loaderOf({ "workspace:log.csv": rows }),
    );
    expect(chart.kind).toBe("line");
    expect(chart.xLabel).toBe("step");
    expect(chart.yLabel).toBe("acc");
    expect(chart.series).toEqual([
      {
        label: "acc",
        points: [
          { x: 0, y: 0.5 },
          { x: 1, y: 0.7 },
        ],
      },
    ]);
  });

  it("maps y to columns of several files and overlays revisions", async () => {
    const definition: ChartDefinition = {
      id: "Loss",
      base: "eval",
      x: "epoch",
      y: { "train.csv": "loss", "test.csv": ["loss", "acc"] },
      template: "scatter",
    };
    const chart = await buildChart(
      definition,
      ["HEAD", "workspace"],
      loaderOf({ "HEAD:eval/train.csv": rows, "workspace:eval/train.csv": rows, "workspace:eval/test.csv": rows }),
    );
    expect(chart.kind).toBe("scatter");
    expect(chart.series.map((series) => series.label)).toEqual([
      "HEAD · eval/train.csv · loss",
      "workspace · eval/train.csv · loss",
      "workspace · eval/test.csv · loss",
      "workspace · eval/test.csv · acc",
    ]);
  });

  it("counts a confusion matrix, and normalises it per actual class", async () => {
    const data = [
      { actual: "cat", predicted: "cat" },
      { actual: "cat", predicted: "dog" },
      { actual: "dog", predicted: "dog" },
      { actual: "cat", predicted: "cat" },
    ];
    const definition: ChartDefinition = { id: "cm", path: "cm.csv", base: ".", x: "actual", y: "predicted" };
    const counts = await buildChart(
      { ...definition, template: "confusion" },
      ["workspace"],
      loaderOf({ "workspace:cm.csv": data }),
    );
    expect(counts.panels).toEqual([
      {
        label: "predicted",
        xValues: ["cat", "dog"],
        yValues: ["cat", "dog"],
        cells: [
          [2, 0],
          [1, 1],
        ],
      },
    ]);
    const normalized = await buildChart(
      { ...definition, template: "confusion_normalized" },
      ["workspace"],
      loaderOf({ "workspace:cm.csv": data }),
    );
    expect(normalized.panels[0]?.cells).toEqual([
      [2 / 3, 0],
      [1 / 3, 1],
    ]);
  });

  it("refuses unknown templates and missing columns with the fix", async () => {
    const load = loaderOf({ "workspace:a.csv": rows });
    await expect(
      buildChart({ id: "a", path: "a.csv", base: ".", template: "pie" }, ["workspace"], load),
    ).rejects.toThrow(/template 'pie'.*Use one of: linear, simple/);
    await expect(buildChart({ id: "a", path: "a.csv", base: ".", y: "nope" }, ["workspace"], load)).rejects.toThrow(
      /has no column 'nope' \(its columns: epoch, loss, acc\)/,
    );
    await expect(buildChart({ id: "a", base: "." }, ["workspace"], load)).rejects.toThrow(/names no data file/);
  });

  it("picks round-number ticks", () => {
    expect(niceTicks(0.13, 0.92)).toEqual({ ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], low: 0, high: 1 });
    expect(niceTicks(5, 5).ticks.length).toBeGreaterThan(1);
  });
});

describe("drawing", () => {
  it("has glyphs for capitals, digits and punctuation, lower case drawn as capitals", () => {
    expect(glyphRows("A")).toEqual([14, 17, 17, 31, 17, 17, 17]);
    expect(glyphRows("a")).toEqual(glyphRows("A"));
    expect(glyphRows(" ").every((row) => row === 0)).toBe(true);
    expect(glyphRows("€")).toEqual([31, 17, 17, 17, 17, 17, 31]);
  });

  it("rasterises every chart kind into a PNG that decodes, and SVG without external references", async () => {
    const rows = [
      { name: "a", value: 3, other: 1 },
      { name: "b", value: -1, other: 2 },
    ];
    for (const template of ["linear", "scatter", "bar_vertical", "bar_horizontal", "confusion"]) {
      const chart = await buildChart(
        { id: `t-${template}`, path: "d.csv", base: ".", x: "name", y: "value", template },
        ["HEAD", "workspace"],
        loaderOf({ "HEAD:d.csv": rows, "workspace:d.csv": rows }),
      );
      const scene = layoutChart(chart);
      const png = decodePng(encodePng(rasterize(scene)));
      expect(png).toMatchObject({ width: 640, height: 400, colorType: 2 });
      expect(png.inked).toBeGreaterThan(2000);
      const svg = sceneToSvg(scene, chart.title);
      expect(svg).toMatch(/^<svg /);
      expect(svg).not.toMatch(/https?:|<script|href=/);
    }
  });

  it("names PNG files after plot ids without clashes", () => {
    const taken = new Set<string>();
    expect(fileNameFor("eval/plots/roc.json", taken)).toBe("eval_plots_roc.json.png");
    expect(fileNameFor("eval/plots/roc.json", taken)).toBe("eval_plots_roc.json_2.png");
    expect(fileNameFor("../..", taken)).toBe("plot.png");
  });
});

describe("lathe plots show|diff", () => {
  let root: string;
  beforeEach(async () => {
    root = await makeRepo();
    await writeFiles(root, {
      "dvc.yaml": `stages:
  train:
    cmd: python train.py
    plots:
      - logs/loss.tsv:
          x: step
          y: loss
      - eval/cm.json:
          template: confusion
          x: actual
          y: predicted
plots:
  - ROC:
      x: fpr
      y:
        eval/roc.yaml: tpr
      title: ROC curve
  - eval/bars.csv:
      template: bar_horizontal
      x: feature
      y: importance
`,
      "logs/loss.tsv": "step\tloss\n0\t1.0\n1\t0.6\n2\t0.4\n",
      "eval/cm.json": JSON.stringify([
        { actual: 0, predicted: 0 },
        { actual: 1, predicted: 0 },
        { actual: 1, predicted: 1 },
      ]),
      "eval/roc.yaml": "roc:\n  - {fpr: 0, tpr: 0}\n  - {fpr: 0.2, tpr: 0.7}\n  - {fpr: 1, tpr: 1}\n",
      "eval/bars.csv": "feature,importance\nage,0.5\nincome,0.3\n",
    });
    commitAll(root, "first");
  });
  afterEach(async () => {
    await removeRepo(root);
  });

  it("writes one self-contained index.html with each plot's SVG, and one PNG per plot", async () => {
    const rendered = await renderPlots({ root, cwd: root });
    expect(rendered.plots.map((plot) => plot.id)).toEqual(["logs/loss.tsv", "eval/cm.json", "ROC", "eval/bars.csv"]);
    const html = await readFile(join(root, "dvc_plots", "index.html"), "utf8");
    expect(html).not.toMatch(/https?:\/\/|<script|<link|@import|url\(/);
    expect(html.match(/<svg /g)).toHaveLength(4);
    for (const title of ["logs/loss.tsv", "eval/cm.json", "ROC curve", "eval/bars.csv"])
      expect(html).toContain(`<title>${title}</title>`);
    const files = (await readdir(join(root, "dvc_plots"))).sort();
    expect(files).toEqual(["ROC.png", "eval_bars.csv.png", "eval_cm.json.png", "index.html", "logs_loss.tsv.png"]);
    for (const file of files.filter((name) => name.endsWith(".png"))) {
      const png = decodePng(await readFile(join(root, "dvc_plots", file)));
      expect(png.width).toBe(640);
      expect(png.inked).toBeGreaterThan(1000);
    }
  });

  it("diff overlays HEAD and the workspace in one chart with a legend", async () => {
    await writeFiles(root, { "logs/loss.tsv": "step\tloss\n0\t0.9\n1\t0.5\n2\t0.2\n3\t0.1\n" });
    const collected = await collectCharts({
      root,
      revisions: ["HEAD", "workspace"],
      targets: ["logs/loss.tsv"],
      cwd: root,
    });
    expect(collected.charts).toHaveLength(1);
    expect(collected.charts[0]?.series.map((series) => [series.label, series.points.length])).toEqual([
      ["HEAD", 3],
      ["workspace", 4],
    ]);
    const out = JSON.parse(await lathe(root, "plots", "diff", "--targets", "logs/loss.tsv", "-o", "out"));
    expect(out.revisions).toEqual(["HEAD", "workspace"]);
    const html = await readFile(join(root, "out", "index.html"), "utf8");
    expect(html).toContain(">HEAD</text>");
    expect(html).toContain(">workspace</text>");
  });

  it("shows a data file that dvc.yaml does not list, and prints charts with --json", async () => {
    await writeFiles(root, { "extra/points.csv": "a,b\n1,2\n2,4\n" });
    const json = JSON.parse(await lathe(root, "plots", "show", "extra/points.csv", "--json"));
    expect(json.charts[0]).toMatchObject({ id: "extra/points.csv", kind: "line", xLabel: "step", yLabel: "b" });
    // A file a defined plot maps columns of selects that plot.
    const roc = await collectCharts({ root, cwd: root, targets: ["eval/roc.yaml"] });
    expect(roc.charts.map((chart) => [chart.title, chart.xLabel, chart.yLabel])).toEqual([["ROC curve", "fpr", "tpr"]]);
  });

  it("reports a data file missing everywhere, a project without plots, and a bad revision", async () => {
    await expect(collectCharts({ root, cwd: root, targets: ["nope.csv"] })).rejects.toThrow(
      /No data found for 'nope.csv'/,
    );
    await expect(collectCharts({ root, cwd: root, revisions: ["HEAD", "bogus"] })).rejects.toThrow(
      /Unknown revision 'bogus'/,
    );
    await writeFiles(root, { "dvc.yaml": "stages: {}\n" });
    await expect(collectCharts({ root, cwd: root })).rejects.toThrow(/No plots are defined.*plots show <file.csv>/);
  });

  it("embeds image plots as data URIs, per revision", async () => {
    const image = encodePng({ width: 2, height: 1, pixels: new Uint8Array([255, 0, 0, 0, 0, 255]) });
    await writeFiles(root, { "dvc.yaml": "plots:\n  - eval/importance.png\n" });
    await writeFile(join(root, "eval/importance.png"), image);
    commitAll(root, "image");
    const rendered = await renderPlots({ root, cwd: root, revisions: ["HEAD", "workspace"] });
    expect(rendered.plots).toEqual([{ id: "eval/importance.png", title: "eval/importance.png", template: "image" }]);
    const html = await readFile(rendered.index, "utf8");
    const encoded = `data:image/png;base64,${image.toString("base64")}`;
    expect(html.split(encoded)).toHaveLength(3);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("names a malformed plot file", async () => {
    await writeFiles(root, { "eval/bars.csv": 'feature,importance\n"age,0.5\n' });
    await expect(collectCharts({ root, cwd: root })).rejects.toThrow(/'eval\/bars.csv' is not valid CSV/);
  });
});
