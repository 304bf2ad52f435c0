/**
 * The generated projects work: the TypeScript template's pipeline runs end to end offline with
 * `lathe repro` and its own tests pass; the Python template's YAML and TOML parse, its modules
 * compile and `lathe dag` reads its pipeline.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createProject } from "../../src/scaffold/index.js";
import { makeBinFolder, run } from "./helpers.js";

let folder: string;
let bin: string;
beforeAll(async () => {
  folder = await realpath(await mkdtemp(join(tmpdir(), "lathe-new-run-")));
  bin = await makeBinFolder();
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  await rm(bin, { recursive: true, force: true });
});

function hasMake(): boolean {
  try {
    execFileSync("make", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function hasPython(): boolean {
  try {
    execFileSync("python3", ["-c", "import tomllib"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("the TypeScript template", () => {
  it("runs its pipeline with lathe repro and passes its own tests", { timeout: 120_000 }, async () => {
    const { root } = await createProject({ dir: "ts-project", cwd: folder, name: "Churn" });
    const output = hasMake()
      ? run(bin, root, "make", ["--no-print-directory", "data", "train"])
      : run(bin, root, "lathe", ["repro"]);
    expect(output).toContain("expectations met");
    for (const stage of ["prepare", "featurize", "train", "evaluate"])
      expect(output).toContain(`Running stage '${stage}'`);
    const metrics = JSON.parse(await readFile(join(root, "reports/metrics.json"), "utf8")) as Record<string, number>;
    expect(metrics.accuracy).toBeGreaterThan(0.6);
    expect(existsSync(join(root, "models/model/MLmodel"))).toBe(true);
    expect(existsSync(join(root, "dvc.lock"))).toBe(true);
    expect(run(bin, root, "lathe", ["repro"])).toContain("up to date");
    const tests = hasMake()
      ? run(bin, root, "make", ["--no-print-directory", "test"])
      : run(bin, root, "tsx", ["--test", "tests/features.test.ts"]);
    expect(tests).toMatch(/# pass 3/);
  });
});

describe("the Python template", () => {
  it("has parseable YAML, a pipeline lathe dag reads, and pinned requirements", async () => {
    const { root, names } = await createProject({ dir: "py-project", cwd: folder, template: "python" });
    for (const file of ["dvc.yaml", "params.yaml", "references/expectations.yml"])
      expect(parse(await readFile(join(root, file), "utf8")), file).toBeTypeOf("object");
    const dag = run(bin, root, "lathe", ["dag"]);
    for (const stage of ["prepare", "featurize", "train", "evaluate"]) expect(dag).toContain(stage);
    const requirements = (await readFile(join(root, "requirements.txt"), "utf8"))
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#") && !line.startsWith("-e"));
    expect(
      requirements.every((line) => /^[a-z0-9-]+==\d+(\.\d+)+$/.test(line)),
      requirements.join(", "),
    ).toBe(true);
    expect(requirements.some((line) => line.startsWith("mlflow=="))).toBe(true);
    const train = await readFile(join(root, `src/${names.module}/models/train.py`), "utf8");
    expect(train).toContain("MLFLOW_TRACKING_URI");
  });

  it.runIf(hasPython())("has TOML that parses and Python that compiles", async () => {
    const { root, names } = await createProject({ dir: "py-compile", cwd: folder, template: "python" });
    const toml = execFileSync(
      "python3",
      ["-c", "import json, tomllib; print(json.dumps(tomllib.load(open('pyproject.toml', 'rb'))))"],
      { cwd: root, encoding: "utf8" },
    );
    const project = JSON.parse(toml) as { project: { name: string; dependencies: string[] } };
    expect(project.project.name).toBe(names.packageName);
    expect(project.project.dependencies).toContain("mlflow==2.22.0");
    execFileSync("python3", ["-m", "compileall", "-q", "src", "tests"], { cwd: root, stdio: "ignore" });
  });
});
