/**
 * The web UI end to end: a real `lathe server` on loopback with seeded data, driven by Debian's
 * Chromium through playwright-core (no browser download). Every page opens without console
 * errors; runs are filtered (a bad filter is underlined where the parser stopped), sorted and
 * given a column; runs are compared; a version is promoted, the alias moves, and it rolls back;
 * a version's model card opens from the Registry page, with a description's HTML shown as text;
 * the dark theme sticks; the phone viewport has no sideways scroll. Screenshots go to
 * test-results/ui/.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/index.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { removeRepo } from "../pipeline/helpers.js";
import { CHROMIUM, HAVE_CHROMIUM, launchChromium } from "./browser.js";
import { EXPERIMENT_NAME, MODEL_NAME, type SeededData, SHOWCASE_RUN, seedPipeline, seedUiData } from "./seed.js";

const SHOTS = join(import.meta.dirname, "../../test-results/ui");
const CONFIG = join(import.meta.dirname, "../../ui/vite.config.ts");

if (!HAVE_CHROMIUM) {
  console.warn(
    `Skipping the web UI browser tests: no Chromium at ${CHROMIUM}. Install it with: apt-get install chromium`,
  );
}

let server: TestServer;
let seeded: SeededData;
let project: string | undefined;
let context: BrowserContext;
let userDataDir: string;
let errors: string[] = [];

async function openPage(hash: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  await page.goto(`${server.url}/${hash}`);
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

describe.skipIf(!HAVE_CHROMIUM)("web UI in Chromium (skipped without it: apt-get install chromium)", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await build({ configFile: CONFIG, logLevel: "error" });
    project = await seedPipeline();
    server = await startTestServer({ project });
    seeded = await seedUiData(server.url);
    userDataDir = mkdtempSync(join(tmpdir(), "lathe-chromium-"));
    context = await launchChromium(userDataDir);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (project) await removeRepo(project);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const page of context.pages()) await page.close();
    const seen = errors;
    errors = [];
    expect(seen).toEqual([]);
  });

  it("shows the experiment's runs in a virtual table, filters them and underlines a bad filter", async () => {
    const page = await openPage(`#/experiments/${seeded.experimentId}`);
    await expect.poll(() => page.locator("h1").textContent()).toBe(EXPERIMENT_NAME);
    await page.locator(".runs-row").first().waitFor();
    const rendered = await page.locator(".runs-row").count();
    expect(rendered).toBeGreaterThan(10);
    // 304 runs exist but only the rows in view (plus a margin) are in the DOM.
    expect(rendered).toBeLessThan(100);
    // The first page is 200 runs; the rest arrive as the table is scrolled.
    await expect.poll(() => page.locator(".runs-status").textContent()).toMatch(/^200\+ runs/);
    await shot(page, "experiments");

    const filter = page.getByLabel("Filter runs");
    await filter.fill("params.model = 'tree'");
    await filter.press("Enter");
    await expect.poll(() => page.locator(".runs-status").textContent()).toMatch(/^100 runs/);
    const models = await page.locator(".runs-row [data-column='param:model']").allTextContents();
    expect(models.length).toBeGreaterThan(0);
    expect(new Set(models)).toEqual(new Set(["tree"]));

    await filter.fill("metrics.accuracy >> 0.5");
    await filter.press("Enter");
    const message = page.locator(".filter-error");
    await message.waitFor();
    expect(await message.textContent()).toMatch(/position 17/);
    expect(await page.locator("mark.filter-mark").textContent()).toBe(">>");
    expect(await filter.getAttribute("aria-invalid")).toBe("true");
    await shot(page, "filter-error");

    await filter.fill("");
    await filter.press("Enter");
    await expect.poll(() => page.locator(".runs-status").textContent()).toMatch(/^200\+ runs/);
    // Scrolling to the end fetches the next page; the rows there render and the DOM stays small.
    await page.locator(".runs-viewport").evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    await expect.poll(() => page.locator(".runs-status").textContent()).toMatch(/^304 runs/);
    await page.locator(".runs-viewport").evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    await expect.poll(() => page.locator(".runs-row[aria-rowindex='304']").count()).toBe(1);
    expect(await page.locator(".runs-row").count()).toBeLessThan(100);
  });

  it("checks a filter given in the address before searching with it", async () => {
    const page = await openPage(`#/experiments/${seeded.experimentId}?filter=${encodeURIComponent("params.model = ")}`);
    const message = page.locator(".filter-error");
    await message.waitFor();
    expect(await message.textContent()).toMatch(/position 14: expected a quoted string/);
    expect(await page.getByLabel("Filter runs").inputValue()).toBe("params.model = ");
    // Keyboard: '/' focuses the filter; fixing it and pressing Enter searches.
    await page.getByLabel("Filter runs").blur();
    await page.keyboard.press("/");
    expect(await page.evaluate("document.activeElement?.getAttribute('aria-label')")).toBe("Filter runs");
    await page.keyboard.press("End");
    await page.keyboard.type("'linear'");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator(".runs-status").textContent()).toMatch(/^100 runs/);
    expect(await message.isHidden()).toBe(true);
  });

  it("sorts by a metric on the server and adds a picked column", async () => {
    const page = await openPage(`#/experiments/${seeded.experimentId}`);
    await page.locator(".runs-row").first().waitFor();
    await page.locator("button[data-column='metric:accuracy']").click();
    await expect
      .poll(() => page.locator("button[data-column='metric:accuracy']").getAttribute("aria-sort"))
      .toBe("descending");
    const values = (await page.locator(".runs-row [data-column='metric:accuracy']").allTextContents()).map(Number);
    expect(values.length).toBeGreaterThan(5);
    expect([...values].sort((a, b) => b - a)).toEqual(values);

    await page.locator("button[data-column='metric:accuracy']").click();
    await expect
      .poll(() => page.locator("button[data-column='metric:accuracy']").getAttribute("aria-sort"))
      .toBe("ascending");
    const ascending = (await page.locator(".runs-row [data-column='metric:accuracy']").allTextContents()).map(Number);
    expect([...ascending].sort((a, b) => a - b)).toEqual(ascending);

    await page.getByText("Columns").click();
    await page.locator("input[data-column='tag:team']").check();
    await page.locator("button[data-column='tag:team']").waitFor();
    const teams = await page.locator(".runs-row [data-column='tag:team']").allTextContents();
    expect(teams.every((team) => team === "vision" || team === "tabular")).toBe(true);
  });

  it("compares runs marked in the table", async () => {
    const page = await openPage(
      `#/experiments/${seeded.experimentId}?filter=${encodeURIComponent("params.model = 'tree'")}`,
    );
    await expect.poll(() => page.locator(".runs-status").textContent()).toMatch(/^100 runs/);
    await page.locator(".runs-row input[type=checkbox]").nth(0).check();
    await page.locator(".runs-row input[type=checkbox]").nth(1).check();
    // Keyboard: focus the table, move down twice and mark the third run with x.
    await page.locator(".runs-viewport").focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("x");
    await page.getByRole("button", { name: "Compare 3" }).click();
    await expect.poll(() => page.url()).toMatch(/#\/compare\?runs=/);
    await page.locator("svg.parallel polyline").first().waitFor();
    expect(await page.locator("svg.parallel polyline").count()).toBe(3);
    expect(await page.locator(".compare-table tr.differs").count()).toBeGreaterThan(0);
    await page.locator(".scatter canvas").first().waitFor();
    await page.locator("figure.chart[data-metric='loss'] canvas").first().waitFor();
    await shot(page, "compare");
  });

  it("shows a run: metrics charted, artifacts previewed, the MLmodel signature", async () => {
    const page = await openPage(`#/runs/${seeded.showcaseRunId}`);
    await expect.poll(() => page.locator("h1").textContent()).toBe(SHOWCASE_RUN);
    await page.locator("figure.chart[data-metric='loss'] canvas").first().waitFor();
    await page.getByLabel("Log scale").check();
    await page.getByLabel("X axis").selectOption("relative");
    await page.locator("figure.chart[data-metric='accuracy'] canvas").first().waitFor();
    expect(await page.locator("#energy").textContent()).toContain("kWh");
    expect(await page.locator("#inputs").textContent()).toContain("iris");

    await page.locator(".tree-item[data-path='predictions.csv']").click();
    await expect.poll(() => page.locator(".preview table td").allTextContents()).toContain("versi, color");
    await page.locator(".tree-item[data-path='confusion.png']").click();
    await page.locator(".preview-image").waitFor();
    await expect
      .poll(() => page.locator(".preview-image").evaluate((image) => (image as { naturalWidth: number }).naturalWidth))
      .toBe(8);
    await page.locator(".tree-item[data-path='report.html']").click();
    const frame = page.locator("iframe.preview-frame");
    await frame.waitFor();
    expect(await frame.getAttribute("sandbox")).toBe("");
    expect(await page.frameLocator("iframe.preview-frame").locator("h1").textContent()).toBe("Evaluation");
    await page.locator(".tree-item[data-path='model']").click();
    await page.locator(".tree-item[data-path='model/MLmodel']").click();
    await expect.poll(() => page.locator(".signature").textContent()).toContain("sepal_length");
    await shot(page, "run");
  });

  it("promotes a version, shows the alias move, and rolls it back", async () => {
    const page = await openPage(`#/models/${MODEL_NAME}`);
    const aliasCell = (version: string) => page.locator(`tr[data-version='${version}'] .aliases`);
    await expect.poll(() => aliasCell("2").textContent()).toBe("@champion");

    await page.locator("tr[data-version='3'] button[data-action='promote']").click();
    await page.getByLabel("Alias to point at it").fill("champion");
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => page.locator("dialog.confirm p").textContent()).toContain("It points at version 2 now.");
    await page.locator("dialog.confirm").getByRole("button", { name: "Promote", exact: true }).click();
    await expect.poll(() => aliasCell("3").textContent()).toBe("@champion");
    expect(await aliasCell("2").textContent()).toBe("");
    await expect
      .poll(() => page.locator(".action-status").textContent())
      .toContain("@champion now points at version 3");
    await shot(page, "promoted");

    await page.locator("li[data-alias='champion'] button[data-action='rollback']").click();
    await page.locator("dialog.confirm").getByRole("button", { name: "Roll back", exact: true }).click();
    await expect.poll(() => aliasCell("2").textContent()).toBe("@champion");
    expect(await aliasCell("3").textContent()).toBe("");
    const history = await page.locator("table.history tbody tr").allTextContents();
    expect(history[0]).toMatch(/alias @champion\s*v3\s*v2/);

    // Cancelling a stage change leaves the version where it was.
    await page.getByLabel("Stage of version 3").selectOption("Staging");
    await page.locator("dialog.confirm").getByRole("button", { name: "Cancel" }).click();
    expect(await page.getByLabel("Stage of version 3").inputValue()).toBe("None");
    await shot(page, "registry");
  });

  it("opens a version's model card from the Registry page", async () => {
    const page = await openPage(`#/models/${MODEL_NAME}`);
    await page.locator("tr[data-version='2'] a[data-action='card']").click();
    await expect.poll(() => page.url()).toMatch(new RegExp(`#/models/${MODEL_NAME}/card/2$`));
    await expect.poll(() => page.locator("h1").textContent()).toBe(`${MODEL_NAME} (version 2)`);
    const card = page.locator("article.model-card");
    expect(await card.locator("h2").allTextContents()).toContain("Evaluation results");
    // The evaluation table is the one right after its heading: the seeded run's accuracy, 0.8 + 2/50.
    const evaluation = card.locator("h2:text-is('Evaluation results') + .table-wrap table");
    expect(await evaluation.locator("thead th").allTextContents()).toEqual(["Metric", "Value"]);
    expect(await evaluation.locator("tbody tr").allTextContents()).toEqual(["accuracy0.84"]);
    expect(await card.locator("p").first().textContent()).toBe("Iris species classifier.");
    expect(await card.locator("details.front-matter pre").textContent()).toContain(`- name: ${MODEL_NAME}`);
    expect(await page.locator("pre.code").first().textContent()).toBe(
      `lathe card model models:/${MODEL_NAME}/2 -o README.md`,
    );
    await shot(page, "model-card");
    await page.getByRole("link", { name: MODEL_NAME }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe(MODEL_NAME);
  });

  it("shows HTML in a model's description as text on its card", async () => {
    const client = new LatheClient({ trackingUri: server.url });
    const hostile = `<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> **bold** [x](javascript:window.pwned=3)`;
    await client.createRegisteredModel("hostile-card", { description: hostile });
    const run = await client.startRun({ experiment: EXPERIMENT_NAME, runName: "hostile", recordEnvironment: false });
    await run.end();
    await client.createModelVersion("hostile-card", `runs:/${run.id}/model`, { runId: run.id });
    const page = await openPage("#/models/hostile-card/card/1");
    await expect.poll(() => page.locator("h1").textContent()).toBe("hostile-card (version 1)");
    const description = page.locator("article.model-card .markdown > p").first();
    expect(await description.textContent()).toBe(
      `<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> bold [x](javascript:window.pwned=3)`,
    );
    expect(await description.locator("strong").textContent()).toBe("bold");
    expect(await page.locator("article.model-card script, article.model-card img, article.model-card a").count()).toBe(
      0,
    );
    expect(await page.evaluate("window.pwned")).toBeUndefined();
  });

  it("lists models, monitoring and the pipeline", async () => {
    const page = await openPage("#/models");
    await page.getByRole("link", { name: MODEL_NAME }).waitFor();

    await page.goto(`${server.url}/#/monitoring`);
    await page.getByRole("link", { name: MODEL_NAME }).click();
    await expect.poll(() => page.locator(".alerts").textContent()).toContain("Window 4: Dataset drift");
    await page.locator("figure.chart[data-group='Drift p-value per feature'] canvas").first().waitFor();
    await shot(page, "monitoring");

    await page.goto(`${server.url}/#/pipeline`);
    await page.locator("svg.dag g.node").first().waitFor();
    const state = (stage: string) => page.locator(`svg.dag g.node[data-stage='${stage}']`).getAttribute("class");
    expect(await state("prepare")).toContain("state-up-to-date");
    expect(await state("train")).toContain("state-changed");
    expect(await state("evaluate")).toContain("state-never-run");
    expect(await page.locator("svg.dag path.edge").count()).toBe(2);
    await shot(page, "pipeline");
  });

  it("switches to the dark theme and remembers it", async () => {
    const page = await openPage(`#/experiments/${seeded.experimentId}`);
    await page.locator(".runs-row").first().waitFor();
    const theme = () => page.evaluate("document.documentElement.dataset.theme");
    const start = await theme();
    await page.locator("#theme-toggle").click();
    const next = start === "dark" ? "light" : "dark";
    expect(await theme()).toBe(next);
    await page.reload();
    await page.locator(".runs-row").first().waitFor();
    expect(await theme()).toBe(next);
    if (next === "light") await page.keyboard.press("t");
    expect(await theme()).toBe("dark");
    await shot(page, "dark");
    await page.keyboard.press("?");
    await page.locator("dialog.help[open]").waitFor();
    await page.keyboard.press("Escape");
    await page.keyboard.press("g");
    await page.keyboard.press("m");
    await expect.poll(() => page.url()).toMatch(/#\/models$/);
  });

  it("fits a 390×844 phone screen", async () => {
    for (const [name, hash] of [
      ["phone-experiments", `#/experiments/${seeded.experimentId}`],
      ["phone-run", `#/runs/${seeded.showcaseRunId}`],
      ["phone-registry", `#/models/${MODEL_NAME}`],
      ["phone-model-card", `#/models/${MODEL_NAME}/card/1`],
    ] as const) {
      const page = await openPage(hash, { width: 390, height: 844 });
      await page.locator("h1").first().waitFor();
      await page.waitForLoadState("networkidle");
      const width = await page.evaluate("document.documentElement.scrollWidth");
      expect(width, name).toBeLessThanOrEqual(390);
      await shot(page, name);
      await page.close();
    }
  });
});
