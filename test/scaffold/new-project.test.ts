/**
 * `lathe new`: the Cookiecutter-Data-Science layout, git and data versioning in the new folder,
 * refusing a non-empty folder, and names and templates checked.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LatheError } from "../../src/core/errors.js";
import { createProject, projectNames, renderProject } from "../../src/scaffold/index.js";

const LAYOUT = [
  "data/raw/.gitkeep",
  "data/interim/.gitkeep",
  "data/processed/.gitkeep",
  "data/external/.gitkeep",
  "models/.gitkeep",
  "notebooks/.gitkeep",
  "reports/figures/.gitkeep",
  "references/.gitkeep",
  "docs/.gitkeep",
  "dvc.yaml",
  "params.yaml",
  "references/expectations.yml",
  "references/model_card.md",
  "Makefile",
  "README.md",
  ".gitignore",
  ".dvcignore",
];

const CARD_PLACEHOLDERS = [
  "title",
  "description",
  "name",
  "version",
  "aliases",
  "stage",
  "source",
  "run_id",
  "run_name",
  "algo",
  "task",
  "intended_use",
  "training_data",
  "parameters",
  "evaluation",
  "limitations",
  "environmental_impact",
];

let folder: string;
beforeAll(async () => {
  folder = await realpath(await mkdtemp(join(tmpdir(), "lathe-new-")));
});
afterAll(async () => rm(folder, { recursive: true, force: true }));

describe("project names", () => {
  it("derives a module and a package name", () => {
    expect(projectNames("Churn Model")).toEqual({
      title: "Churn Model",
      module: "churn_model",
      packageName: "churn-model",
    });
    expect(projectNames("2024 forecast").module).toBe("project_2024_forecast");
  });

  it("rejects a name without letters or digits, naming the fix", () => {
    expect(() => projectNames("---")).toThrow(/--name/);
  });
});

describe("renderProject", () => {
  for (const template of ["typescript", "python"] as const)
    it(`${template}: has every path of the layout and the src steps`, () => {
      const files = renderProject(template, projectNames("demo"));
      for (const path of LAYOUT) expect(files, path).toHaveProperty([path]);
      for (const step of ["data", "features", "models", "visualization"])
        expect(
          Object.keys(files).some((path) => path.startsWith(`src/demo/${step}/`)),
          step,
        ).toBe(true);
      expect(Object.keys(files).some((path) => path.startsWith("tests/"))).toBe(true);
    });

  it("has a Makefile with the lint, test, data, train, serve, docker and help targets", () => {
    const makefile = renderProject("typescript", projectNames("demo")).Makefile!;
    for (const target of ["lint", "test", "data", "train", "serve", "docker", "help"])
      expect(makefile).toMatch(new RegExp(`^${target}: ## `, "m"));
    expect(makefile).toMatch(/^\t/m);
  });

  it("has a model-card template with every placeholder lathe card fills", () => {
    const card = renderProject("typescript", projectNames("demo"))["references/model_card.md"]!;
    const used = [...card.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]);
    expect(new Set(used)).toEqual(new Set(CARD_PLACEHOLDERS));
  });

  it("has an expectation suite in GX's layout and a pipeline of four stages", () => {
    const files = renderProject("typescript", projectNames("demo"));
    const suite = parse(files["references/expectations.yml"]!) as { name: string; expectations: { type: string }[] };
    expect(suite.expectations.every((entry) => entry.type.startsWith("expect_"))).toBe(true);
    const pipeline = parse(files["dvc.yaml"]!) as { stages: Record<string, { metrics?: unknown; plots?: unknown }> };
    expect(Object.keys(pipeline.stages)).toEqual(["prepare", "featurize", "train", "evaluate"]);
    expect(pipeline.stages.evaluate?.metrics).toBeDefined();
    expect(pipeline.stages.evaluate?.plots).toBeDefined();
  });

  it("typescript: package.json depends on lathe", () => {
    const manifest = JSON.parse(renderProject("typescript", projectNames("demo"))["package.json"]!);
    expect(manifest.dependencies.lathe).toMatch(/^\^\d/);
    expect(manifest.type).toBe("module");
  });
});

describe("createProject", () => {
  it("writes the layout, runs git init and lathe init, and tracks the raw data", async () => {
    const result = await createProject({ dir: "fresh", cwd: folder });
    expect(result.template).toBe("typescript");
    for (const path of [...LAYOUT, ".git", ".dvc/config", "data/raw/churn.csv.dvc", "src/fresh/models/train.ts"])
      expect(existsSync(join(result.root, path)), path).toBe(true);
    expect(await readFile(join(result.root, "data/raw/.gitignore"), "utf8")).toContain("/churn.csv");
  });

  it("refuses a non-empty folder without --force, naming it and the fix", async () => {
    const target = join(folder, "occupied");
    await mkdir(target);
    await writeFile(join(target, "notes.txt"), "mine\n");
    const failure = await createProject({ dir: target }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LatheError);
    expect((failure as LatheError).code).toBe("RESOURCE_ALREADY_EXISTS");
    expect((failure as LatheError).message).toContain(target);
    expect((failure as LatheError).message).toContain("--force");
    expect(existsSync(join(target, "dvc.yaml"))).toBe(false);
    const forced = await createProject({ dir: target, force: true, template: "python" });
    expect(existsSync(join(forced.root, "pyproject.toml"))).toBe(true);
    expect(await readFile(join(target, "notes.txt"), "utf8")).toBe("mine\n");
  });

  it("rejects an unknown template, naming the choices", async () => {
    await expect(createProject({ dir: join(folder, "x"), template: "rust" })).rejects.toThrow(
      /--template typescript or --template python/,
    );
  });
});
