/**
 * @module pipeline/plots/show
 * `plots show` and `plots diff`: collect the plots the pipelines define (stage `plots` and
 * top-level `plots`) or the data files given, read their data at each revision, and write
 * `index.html` (inline SVG, self-contained) plus one PNG per chart into the output folder
 * (default `dvc_plots`). `diff` overlays the revisions in each chart, with a legend.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { LatheError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/fs.js";
import { loadTargets } from "../metrics/load.js";
import { findProjectRoot, type Revision, toRepoPath, WORKSPACE, withRevisions } from "../metrics/revisions.js";
import { mergeTargets, type PlotTarget } from "../metrics/targets.js";
import { repoPath } from "../types.js";
import { buildChart, type Chart, type ChartDefinition, type DataLoader } from "./chart.js";
import { isImage, type PlotRecord, readPlotData } from "./data.js";
import { type PageItem, renderPage } from "./html.js";
import { layoutChart } from "./layout.js";
import { encodePng } from "./png.js";
import { rasterize } from "./raster.js";
import { sceneToSvg } from "./svg.js";

const run = promisify(execFile);

/** Options of {@link collectCharts} and {@link renderPlots}. */
export interface PlotsOptions {
  /** Project root; default: found from the current folder. */
  root?: string;
  /** Folder the targets and output folder are relative to; default `root` when given, else the current folder. */
  cwd?: string;
  /** Plot ids or data files; default every plot the pipelines define. */
  targets?: string[];
  /** Revisions to read; default the workspace alone. */
  revisions?: string[];
}

/** What {@link collectCharts} found: the charts and the image plots. */
export interface CollectedPlots {
  revisions: string[];
  charts: Chart[];
  images: { id: string; path: string }[];
}

function definitionOf(target: PlotTarget): ChartDefinition {
  const id = target.id ?? target.path ?? "plot";
  return {
    id,
    base: target.base,
    ...(target.path === undefined ? {} : { path: target.path }),
    ...(target.x === undefined ? {} : { x: target.x }),
    ...(target.y === undefined ? {} : { y: target.y }),
    ...(target.template === undefined ? {} : { template: target.template }),
    ...(target.title === undefined ? {} : { title: target.title }),
    ...(target.x_label === undefined ? {} : { x_label: target.x_label }),
    ...(target.y_label === undefined ? {} : { y_label: target.y_label }),
    ...(target.header === undefined ? {} : { header: target.header }),
  };
}

/** The files a definition's `y` maps to columns (`{eval/roc.json: tpr}`), repository-relative. */
function dataFiles(definition: ChartDefinition): string[] {
  const y = definition.y;
  if (y === undefined || typeof y === "string" || Array.isArray(y)) return [];
  return Object.keys(y).map((file) => repoPath(definition.base, file));
}

async function definitionsFor(
  options: PlotsOptions,
  root: string,
  revisions: readonly Revision[],
): Promise<ChartDefinition[]> {
  const defined = mergeTargets(await Promise.all(revisions.map((revision) => loadTargets(revision.source)))).plots.map(
    definitionOf,
  );
  if (!options.targets || options.targets.length === 0) {
    if (defined.length === 0)
      throw new LatheError(
        "RESOURCE_DOES_NOT_EXIST",
        "No plots are defined: add them under 'plots:' in dvc.yaml (top level or in a stage), or name data files: 'lathe plots show <file.csv>'.",
      );
    return defined;
  }
  const cwd = options.cwd ?? options.root ?? process.cwd();
  return options.targets.flatMap((target) => {
    const path = toRepoPath(root, cwd, target);
    const matching = defined.filter(
      (definition) =>
        definition.id === target ||
        definition.id === path ||
        definition.path === path ||
        dataFiles(definition).includes(path),
    );
    return matching.length > 0 ? matching : [{ id: path, path, base: "." }];
  });
}

/** Reads the definitions and data, and builds the charts without writing anything. */
export async function collectCharts(options: PlotsOptions = {}): Promise<CollectedPlots> {
  const root = options.root ?? (await findProjectRoot(options.cwd));
  const names = options.revisions && options.revisions.length > 0 ? options.revisions : [WORKSPACE];
  return withRevisions(root, names, async (revisions) => {
    const definitions = await definitionsFor(options, root, revisions);
    const byName = new Map(revisions.map((revision) => [revision.name, revision]));
    const cache = new Map<string, Promise<PlotRecord[] | undefined>>();
    const loaderFor =
      (header: boolean): DataLoader =>
      (revision, path) => {
        const key = `${revision}\0${path}\0${header}`;
        let found = cache.get(key);
        if (!found) {
          found = byName
            .get(revision)!
            .source.read(path)
            .then((text) => (text === undefined ? undefined : readPlotData(path, text, revision, { header })));
          cache.set(key, found);
        }
        return found;
      };
    const charts: Chart[] = [];
    const images: { id: string; path: string }[] = [];
    let anyData = false;
    for (const definition of definitions) {
      if (definition.path !== undefined && isImage(definition.path) && definition.y === undefined) {
        images.push({ id: definition.id, path: definition.path });
        continue;
      }
      const chart = await buildChart(definition, names, loaderFor(definition.header !== false));
      anyData ||= chart.series.length > 0 || chart.panels.length > 0;
      charts.push(chart);
    }
    if (!anyData && images.length === 0 && options.targets && options.targets.length > 0)
      throw new LatheError(
        "RESOURCE_DOES_NOT_EXIST",
        `No data found for ${options.targets.map((target) => `'${target}'`).join(", ")} at ${names.join(", ")}. Check the path (relative to the current folder) or run the stage that writes it.`,
      );
    return { revisions: names, charts, images };
  });
}

const MIME: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  svg: "image/svg+xml",
  webp: "image/webp",
};

async function readBinary(root: string, revision: string, path: string): Promise<Uint8Array | undefined> {
  try {
    if (revision === WORKSPACE) return await readFile(join(root, ...path.split("/")));
    const { stdout } = await run("git", ["cat-file", "blob", `${revision}:./${path}`], {
      cwd: root,
      encoding: "buffer",
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch {
    return undefined;
  }
}

/** A file name for a plot id: path separators and odd characters become `_`. */
export function fileNameFor(id: string, taken: Set<string>): string {
  const stem = id.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "") || "plot";
  let name = `${stem}.png`;
  for (let index = 2; taken.has(name); index++) name = `${stem}_${index}.png`;
  taken.add(name);
  return name;
}

/** Where {@link renderPlots} wrote its files. */
export interface RenderedPlots {
  /** Absolute path of `index.html`. */
  index: string;
  revisions: string[];
  plots: { id: string; title: string; template: string; png?: string }[];
}

/** Collects the charts and writes `index.html` and one PNG per chart into `outDir`. */
export async function renderPlots(options: PlotsOptions & { outDir?: string } = {}): Promise<RenderedPlots> {
  const root = options.root ?? (await findProjectRoot(options.cwd));
  const collected = await collectCharts({ ...options, root });
  const outDir = resolve(options.cwd ?? options.root ?? process.cwd(), options.outDir ?? "dvc_plots");
  await mkdir(outDir, { recursive: true });
  const taken = new Set<string>();
  const items: PageItem[] = [];
  const plots: RenderedPlots["plots"] = [];
  for (const chart of collected.charts) {
    const scene = layoutChart(chart);
    const png = fileNameFor(chart.id, taken);
    await writeFile(join(outDir, png), encodePng(rasterize(scene)));
    items.push({ kind: "chart", title: chart.title, svg: sceneToSvg(scene, chart.title) });
    plots.push({ id: chart.id, title: chart.title, template: chart.template, png: join(outDir, png) });
  }
  for (const image of collected.images) {
    const extension = /\.([^./]+)$/.exec(image.path)?.[1]?.toLowerCase() ?? "png";
    const found: { revision: string; mime: string; bytes: Uint8Array }[] = [];
    for (const revision of collected.revisions) {
      const bytes = await readBinary(root, revision, image.path);
      if (bytes) found.push({ revision, mime: MIME[extension] ?? "application/octet-stream", bytes });
    }
    items.push({ kind: "image", title: image.id, images: found });
    plots.push({ id: image.id, title: image.id, template: "image" });
  }
  const index = join(outDir, "index.html");
  await writeFileAtomic(index, renderPage(`Plots: ${collected.revisions.join(" vs ")}`, items));
  return { index, revisions: collected.revisions, plots };
}
