/**
 * @module deploy/ci-validate
 * Offline structural checks of CI files. For GitHub Actions: valid YAML, `on` and `jobs`, every
 * job with `runs-on` (or a reusable `uses`) and steps, every step with exactly one of `uses` or
 * `run`, `needs` naming existing jobs without cycles. For a declarative Jenkinsfile: balanced
 * brackets outside strings and comments, `pipeline` with `agent` and `stages`, every stage with
 * `steps` (or nested `stages`/`parallel`), and only known `post` conditions.
 */
import { parseDocument } from "yaml";
import { Checker, isObject, type Json, type Problem } from "./checks.js";

const WORKFLOW_KEYS = ["name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"];
const JOB_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ACTION_REF = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[A-Za-z0-9_./-]+|\.\/.+|docker:\/\/.+)$/;

function checkSteps(check: Checker, steps: Json[], path: string): void {
  steps.forEach((entry, index) => {
    const stepPath = `${path}[${index}]`;
    const step = check.object(entry, stepPath);
    if (!step) return;
    const hasUses = step.uses !== undefined;
    const hasRun = step.run !== undefined;
    if (hasUses === hasRun)
      check.report(
        stepPath,
        hasUses ? "has both 'uses' and 'run'; keep one" : "needs 'uses' (an action) or 'run' (a command)",
      );
    if (hasUses) {
      const uses = check.string(step.uses, `${stepPath}.uses`);
      if (uses !== undefined && !ACTION_REF.test(uses))
        check.report(`${stepPath}.uses`, `'${uses}' is not owner/repo@ref, ./path or docker://image`);
    }
    if (hasRun) check.string(step.run, `${stepPath}.run`);
    if (step.with !== undefined) check.object(step.with, `${stepPath}.with`);
    if (step.env !== undefined) check.object(step.env, `${stepPath}.env`);
  });
}

/** Checks a GitHub Actions workflow file's text. */
export function validateGithubWorkflow(text: string, file = "workflow.yml"): Problem[] {
  const document = parseDocument(text);
  if (document.errors.length > 0)
    return [{ file, where: "workflow", path: "", message: `is not valid YAML: ${document.errors[0]!.message}` }];
  const check = new Checker(file, "workflow");
  const workflow = check.object(document.toJS() as Json, "(top level)");
  if (!workflow) return check.problems;
  for (const key of Object.keys(workflow))
    if (!WORKFLOW_KEYS.includes(key)) check.report(key, `is not a workflow key (known: ${WORKFLOW_KEYS.join(", ")})`);
  const on = workflow.on;
  if (on === undefined) check.report("on", "is required: the events that start the workflow");
  else if (!(typeof on === "string" || Array.isArray(on) || isObject(on)))
    check.report("on", "must be an event name, a list of them or a mapping");
  const jobs = check.object(workflow.jobs, "jobs");
  if (!jobs) return check.problems;
  const ids = Object.keys(jobs);
  if (ids.length === 0) check.report("jobs", "must define at least one job");
  const needsOf = new Map<string, string[]>();
  for (const id of ids) {
    const path = `jobs.${id}`;
    if (!JOB_ID.test(id))
      check.report(path, "job ids start with a letter or '_' and hold only letters, digits, '-' and '_'");
    const job = check.object(jobs[id], path);
    if (!job) continue;
    const reusable = job.uses !== undefined;
    if (!reusable) {
      const runsOn = job["runs-on"];
      if (runsOn === undefined) check.report(`${path}.runs-on`, "is required: the runner label, e.g. ubuntu-latest");
      else if (!(typeof runsOn === "string" || Array.isArray(runsOn) || isObject(runsOn)))
        check.report(`${path}.runs-on`, "must be a runner label, a list of labels or a group mapping");
      const steps = check.array(job.steps, `${path}.steps`, true, true);
      if (steps) checkSteps(check, steps, `${path}.steps`);
    }
    const needs = job.needs;
    const list = needs === undefined ? [] : Array.isArray(needs) ? needs : [needs];
    const names: string[] = [];
    list.forEach((entry, index) => {
      const needPath = Array.isArray(needs) ? `${path}.needs[${index}]` : `${path}.needs`;
      if (typeof entry !== "string") check.report(needPath, "must be a job id");
      else if (!ids.includes(entry))
        check.report(needPath, `names '${entry}', which is not a job (jobs: ${ids.join(", ")})`);
      else names.push(entry);
    });
    needsOf.set(id, names);
  }
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting") {
      check.report(`jobs.${id}.needs`, `forms a cycle: ${[...trail, id].join(" → ")}`);
      return;
    }
    state.set(id, "visiting");
    for (const next of needsOf.get(id) ?? []) visit(next, [...trail, id]);
    state.set(id, "done");
  };
  for (const id of ids) visit(id, []);
  return check.problems;
}

/** The Jenkinsfile with strings and comments blanked (newlines kept), so brackets can be counted. */
function stripGroovy(text: string): string {
  let out = "";
  let index = 0;
  while (index < text.length) {
    const rest = text.slice(index);
    const quote = ["'''", '"""', "'", '"'].find((mark) => rest.startsWith(mark));
    if (rest.startsWith("//")) {
      const end = text.indexOf("\n", index);
      const stop = end < 0 ? text.length : end;
      out += " ".repeat(stop - index);
      index = stop;
    } else if (rest.startsWith("/*")) {
      const end = text.indexOf("*/", index + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(index, stop).replace(/[^\n]/g, " ");
      index = stop;
    } else if (quote) {
      let end = index + quote.length;
      while (end < text.length && !text.startsWith(quote, end)) end += text[end] === "\\" ? 2 : 1;
      const stop = Math.min(text.length, end + quote.length);
      out += `${quote}${text.slice(index + quote.length, end).replace(/[^\n]/g, " ")}${quote}`;
      index = stop;
    } else {
      out += text[index];
      index++;
    }
  }
  return out;
}

/** A span of the stripped code; `original` is the same span of the file (strings intact). */
interface Span {
  code: string;
  original: string;
}

/** The body of the `{ … }` block that starts at `open` (the index of `{`). */
function blockBody(span: Span, open: number): Span {
  let depth = 0;
  for (let index = open; index < span.code.length; index++) {
    if (span.code[index] === "{") depth++;
    else if (span.code[index] === "}" && --depth === 0)
      return { code: span.code.slice(open + 1, index), original: span.original.slice(open + 1, index) };
  }
  return { code: span.code.slice(open + 1), original: span.original.slice(open + 1) };
}

interface Section {
  name: string;
  /** The text between the parentheses, from the original file. */
  args: string;
  body: Span;
}

/** Top-level sections of a block: `name {` or `name(args) {` at depth 0. */
function sections(span: Span): Section[] {
  const found: Section[] = [];
  let depth = 0;
  for (let index = 0; index < span.code.length; index++) {
    const char = span.code[index]!;
    if (char === "{") {
      if (depth === 0) {
        const head = /([A-Za-z_]+)\s*(\(([^)]*)\))?\s*$/.exec(span.code.slice(0, index));
        if (head) {
          const argsStart = head.index + head[0].indexOf("(") + 1;
          const args = head[3] === undefined ? "" : span.original.slice(argsStart, argsStart + head[3].length);
          found.push({ name: head[1]!, args, body: blockBody(span, index) });
        }
      }
      depth++;
    } else if (char === "}") depth--;
  }
  return found;
}

const POST_CONDITIONS = [
  "always",
  "changed",
  "fixed",
  "regression",
  "aborted",
  "failure",
  "success",
  "unstable",
  "unsuccessful",
  "cleanup",
];

/** Checks a declarative Jenkinsfile's text. */
export function validateJenkinsfile(text: string, file = "Jenkinsfile"): Problem[] {
  const check = new Checker(file, "pipeline");
  const code = stripGroovy(text);
  const stack: { char: string; line: number }[] = [];
  const pairs: Record<string, string> = { "}": "{", ")": "(", "]": "[" };
  let line = 1;
  for (const char of code) {
    if (char === "\n") line++;
    else if (char === "{" || char === "(" || char === "[") stack.push({ char, line });
    else if (char in pairs) {
      const top = stack.pop();
      if (!top || top.char !== pairs[char]) {
        check.report(
          `line ${line}`,
          `'${char}' does not close ${top ? `the '${top.char}' opened on line ${top.line}` : "anything"}`,
        );
        return check.problems;
      }
    }
  }
  if (stack.length > 0) {
    const open = stack.at(-1)!;
    check.report(`line ${open.line}`, `'${open.char}' is never closed`);
    return check.problems;
  }
  const pipeline = sections({ code, original: text }).find((section) => section.name === "pipeline");
  if (!pipeline) {
    check.report("pipeline", "is required: a declarative Jenkinsfile is one 'pipeline { … }' block");
    return check.problems;
  }
  const top = sections(pipeline.body);
  const hasAgent =
    /(^|\n)\s*agent\s+(any|none)\b/.test(pipeline.body.code) || top.some((section) => section.name === "agent");
  if (!hasAgent) check.report("pipeline.agent", "is required: 'agent any', 'agent none' or an agent block");
  const stages = top.find((section) => section.name === "stages");
  if (!stages) check.report("pipeline.stages", "is required: a 'stages { stage('…') { … } }' block");
  else checkStages(check, stages.body, "pipeline.stages");
  const post = top.find((section) => section.name === "post");
  if (post)
    for (const condition of sections(post.body))
      if (!POST_CONDITIONS.includes(condition.name))
        check.report(
          `pipeline.post.${condition.name}`,
          `is not a post condition (known: ${POST_CONDITIONS.join(", ")})`,
        );
  return check.problems;
}

function checkStages(check: Checker, body: Span, path: string): void {
  const stages = sections(body).filter((section) => section.name === "stage");
  if (stages.length === 0) check.report(path, "must contain at least one stage('name') { … }");
  for (const stage of stages) {
    const label = stage.args.trim().replace(/^['"]|['"]$/g, "") || "(unnamed)";
    const stagePath = `${path}.stage(${label})`;
    if (stage.args.trim() === "") check.report(stagePath, "needs a name: stage('Build') { … }");
    const parts = sections(stage.body).map((section) => section.name);
    const bodies = ["steps", "stages", "parallel", "matrix"].filter((name) => parts.includes(name));
    if (bodies.length !== 1) check.report(stagePath, "needs exactly one of steps, stages, parallel or matrix");
    const nested = sections(stage.body).find((section) => section.name === "stages");
    if (nested) checkStages(check, nested.body, `${stagePath}.stages`);
  }
}
