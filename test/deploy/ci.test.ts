/**
 * `lathe deploy ci`: the GitHub workflow and the Jenkinsfile carry the stages the issue lists and
 * pass their structural validators, which reject broken files naming the field.
 */
import { mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  deployCi,
  githubWorkflow,
  jenkinsfile,
  validateDeployFiles,
  validateGithubWorkflow,
  validateJenkinsfile,
} from "../../src/deploy/index.js";

// biome-ignore lint/suspicious/noExplicitAny: test-only poking at a parsed workflow
type Doc = Record<string, any>;

let folder: string;
beforeAll(async () => {
  folder = await realpath(await mkdtemp(join(tmpdir(), "lathe-ci-")));
});
afterAll(async () => rm(folder, { recursive: true, force: true }));

const workflowText = () => githubWorkflow()[".github/workflows/ml.yml"]!;
const workflow = () => parse(workflowText()) as Doc;
const jenkins = () => jenkinsfile().Jenkinsfile!;

describe("the GitHub Actions workflow", () => {
  it("installs, lints, tests, validates data, reproduces, diffs metrics on the PR, builds, pushes and deploys", () => {
    const text = workflowText();
    for (const fragment of [
      "actions/checkout@v4",
      "actions/setup-node@v4",
      "npm ci",
      "npm run lint",
      "npm test",
      "npx lathe validate",
      "npx lathe repro",
      "lathe metrics diff",
      "gh pr comment",
      "ghcr.io",
      "docker/build-push-action",
      "kubectl rollout status",
    ])
      expect(text, fragment).toContain(fragment);
    const jobs = workflow().jobs;
    expect(jobs.deploy.if).toContain("refs/heads/main");
    expect(jobs.deploy.needs).toBe("image");
    expect(jobs.pipeline.steps.find((step: Doc) => step.name === "Validate data").if).toContain("hashFiles");
  });

  it("passes the validator", () => {
    expect(validateGithubWorkflow(workflowText())).toEqual([]);
  });

  it("rejects a step without uses or run", () => {
    const doc = workflow();
    doc.jobs.test.steps.push({ name: "nothing" });
    const [problem] = validateGithubWorkflow(stringify(doc));
    expect(problem?.path).toBe("jobs.test.steps[5]");
    expect(problem?.message).toContain("'uses'");
  });

  it("rejects needs naming an unknown job, and a cycle", () => {
    const doc = workflow();
    doc.jobs.image.needs = ["pipeline", "build"];
    expect(validateGithubWorkflow(stringify(doc)).map((problem) => problem.path)).toEqual(["jobs.image.needs[1]"]);
    doc.jobs.image.needs = "deploy";
    expect(validateGithubWorkflow(stringify(doc))[0]?.message).toContain("cycle");
  });

  it("rejects a missing on, a job without runs-on, and broken YAML", () => {
    const doc = workflow();
    delete doc.on;
    delete doc.jobs.test["runs-on"];
    expect(validateGithubWorkflow(stringify(doc)).map((problem) => problem.path)).toEqual(["on", "jobs.test.runs-on"]);
    expect(validateGithubWorkflow("jobs: [\n")[0]?.message).toContain("not valid YAML");
  });
});

describe("the Jenkinsfile", () => {
  it("is declarative with the stages, a push guarded by docker image inspect, and post handlers", () => {
    const text = jenkins();
    for (const stage of ["Checkout", "Set up", "Install", "Test", "Build image", "Push image", "Deploy"])
      expect(text).toContain(`stage('${stage}')`);
    expect(text.indexOf("docker image inspect")).toBeLessThan(text.indexOf("docker push"));
    expect(text).toMatch(/agent any/);
    expect(text).toMatch(/post \{[\s\S]*always \{[\s\S]*failure \{/);
  });

  it("passes the validator", () => {
    expect(validateJenkinsfile(jenkins())).toEqual([]);
  });

  it("rejects unbalanced braces, naming the line", () => {
    const text = jenkins().replace("stage('Install') {", "stage('Install') {{");
    const [problem] = validateJenkinsfile(text);
    expect(problem?.path).toMatch(/^line \d+$/);
  });

  it("ignores braces inside strings and comments", () => {
    const text = jenkins().replace("sh 'npm ci'", "sh 'echo \"{\" # }}'\n        // {");
    expect(validateJenkinsfile(text)).toEqual([]);
  });

  it("rejects a missing agent, a stage without steps and an unknown post condition", () => {
    const text = jenkins()
      .replace("agent any", "")
      .replace("steps {\n        checkout scm\n      }", "")
      .replace("failure {", "broken {");
    const paths = validateJenkinsfile(text).map((problem) => problem.path);
    expect(paths).toEqual(["pipeline.agent", "pipeline.stages.stage(Checkout)", "pipeline.post.broken"]);
  });
});

describe("deployCi", () => {
  it("needs --github or --jenkins", async () => {
    await expect(deployCi({ out: folder })).rejects.toThrow(/--github, --jenkins/);
  });

  it("writes both files, and lathe deploy validate accepts them", async () => {
    const result = await deployCi({ out: folder, github: true, jenkins: true });
    expect(result.written.map((path) => path.slice(folder.length + 1)).sort()).toEqual([
      ".github/workflows/ml.yml",
      "Jenkinsfile",
    ]);
    const checked = await validateDeployFiles([".github", "Jenkinsfile"], folder);
    expect(checked.checked).toEqual([".github/workflows/ml.yml", "Jenkinsfile"]);
    await expect(deployCi({ out: folder, github: true })).rejects.toThrow(/Refusing to overwrite/);
    expect(await readFile(join(folder, "Jenkinsfile"), "utf8")).toContain("pipeline {");
  });
});
