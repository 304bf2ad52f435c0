/**
 * @module deploy/commands
 * `lathe deploy docker|compose|k8s|ci|validate`: generate, write (never over existing files
 * without `force`) and check deployment files.
 */
import { spawnSync } from "node:child_process";
import { access, readdir, readFile } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import { invalidParameter, LatheError } from "../core/errors.js";
import { formatProblems, type Problem } from "./checks.js";
import { validateGithubWorkflow, validateJenkinsfile } from "./ci-validate.js";
import { composeFiles } from "./compose.js";
import { type DockerOptions, dockerFiles, isRemoteModel } from "./docker.js";
import { type CiOptions, githubWorkflow } from "./github.js";
import { jenkinsfile } from "./jenkins.js";
import { type KubernetesOptions, kubernetesManifests } from "./k8s.js";
import { validateKubernetesFiles } from "./k8s-validate.js";
import { type GeneratedFiles, writeGeneratedFiles } from "./output.js";

export interface WriteOptions {
  /** Output folder. */
  out?: string;
  force?: boolean;
  cwd?: string;
}

export interface DeployResult {
  /** Absolute paths written. */
  written: string[];
  /** Follow-up hints for the user. */
  notes: string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function failOn(problems: Problem[], what: string): void {
  if (problems.length > 0)
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `${what} failed validation:\n${formatProblems(problems)}\nFix the fields named above (or regenerate the files with --force).`,
    );
}

/** `lathe deploy docker`. */
export async function deployDocker(options: WriteOptions & DockerOptions = {}): Promise<DeployResult> {
  const cwd = options.cwd ?? process.cwd();
  const out = options.out ?? "deploy";
  const written = await writeGeneratedFiles(out, dockerFiles(options), options);
  const model = options.model ?? "models/model";
  const notes = [
    `Build from the project root: docker build -f ${join(out, "Dockerfile")} -t ${options.name ?? "lathe-model"}:latest .`,
  ];
  if (isRemoteModel(model))
    notes.push(`The container fetches ${model} at start; run it with -e MLFLOW_TRACKING_URI=<tracking server>.`);
  else if (!(await exists(resolve(cwd, model, "MLmodel"))))
    notes.push(`${model} holds no MLmodel yet: train first (e.g. 'lathe repro') so the build can copy it.`);
  if (!(await exists(resolve(cwd, "package-lock.json"))))
    notes.push(
      "The build runs 'npm ci', which needs package-lock.json: run 'npm install' once and commit the lock file.",
    );
  return { written, notes };
}

/** `lathe deploy compose`. */
export async function deployCompose(options: WriteOptions & { name?: string } = {}): Promise<DeployResult> {
  const cwd = options.cwd ?? process.cwd();
  const out = options.out ?? "deploy";
  const written = await writeGeneratedFiles(out, composeFiles(options), options);
  const notes = [`Start the stack: docker compose -f ${join(out, "docker-compose.yml")} up --build`];
  if (!(await exists(resolve(cwd, out, "Dockerfile"))))
    notes.push(`The stack builds ${join(out, "Dockerfile")}: create it with 'lathe deploy docker --out ${out}'.`);
  notes.push("Grafana: http://localhost:3000 (dashboard 'Lathe'); Prometheus: http://localhost:9090.");
  return { written, notes };
}

/** Runs `kubectl apply --dry-run=client` on files or folders when kubectl is installed and a cluster answers. */
export function kubectlDryRun(paths: readonly string[]): { ran: boolean; problems: Problem[]; note: string } {
  const files = paths.flatMap((path) => ["-f", path]);
  const result = spawnSync("kubectl", ["apply", "--dry-run=client", "--request-timeout=5s", ...files], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT")
    return { ran: false, problems: [], note: "kubectl is not installed: skipped 'kubectl apply --dry-run=client'." };
  const output = `${result.stderr ?? ""}${result.stdout ?? ""}`;
  // A client-side dry run still asks the API server for its schemas and resource types.
  if (
    /failed to download openapi|couldn't get current server API group list|Unable to connect to the server|dial tcp|no configuration has been provided/i.test(
      output,
    )
  )
    return {
      ran: false,
      problems: [],
      note: "kubectl is installed but no cluster answers (its client dry run needs the API server): skipped 'kubectl apply --dry-run=client'.",
    };
  if (result.status !== 0)
    return {
      ran: true,
      problems: [
        {
          file: paths.join(", "),
          where: "kubectl",
          path: "",
          message: (result.stderr || result.stdout || "failed").trim(),
        },
      ],
      note: "kubectl apply --dry-run=client failed.",
    };
  return { ran: true, problems: [], note: "kubectl apply --dry-run=client accepted the manifests." };
}

async function yamlFilesIn(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of (await readdir(folder)).sort())
    if (/\.ya?ml$/.test(entry)) files[entry] = await readFile(join(folder, entry), "utf8");
  return files;
}

/** `lathe deploy k8s`. */
export async function deployKubernetes(
  options: WriteOptions & KubernetesOptions & { validate?: boolean } = {},
): Promise<DeployResult> {
  const cwd = options.cwd ?? process.cwd();
  const out = options.out ?? "deploy/k8s";
  const manifests = kubernetesManifests(options);
  const written = await writeGeneratedFiles(out, manifests.files, options);
  const notes = manifests.notes.map((note) => note.replace("<out>", out));
  if (options.validate) {
    const folder = resolve(cwd, out);
    failOn(validateKubernetesFiles(await yamlFilesIn(folder)), `The manifests in ${out}`);
    notes.push(`The manifests in ${out} passed the offline structural check.`);
    const kubectl = kubectlDryRun([folder]);
    failOn(kubectl.problems, `The manifests in ${out}`);
    notes.push(kubectl.note);
  }
  return { written, notes };
}

/** `lathe deploy ci --github|--jenkins`. */
export async function deployCi(
  options: WriteOptions & CiOptions & { github?: boolean; jenkins?: boolean; registry?: string },
): Promise<DeployResult> {
  if (!options.github && !options.jenkins)
    throw invalidParameter("Choose the CI system: lathe deploy ci --github, --jenkins, or both.");
  const files: GeneratedFiles = {};
  if (options.github) Object.assign(files, githubWorkflow(options));
  if (options.jenkins) Object.assign(files, jenkinsfile(options));
  const problems: Problem[] = [];
  for (const [path, text] of Object.entries(files))
    problems.push(...(path === "Jenkinsfile" ? validateJenkinsfile(text, path) : validateGithubWorkflow(text, path)));
  failOn(problems, "The generated CI files");
  const out = options.out ?? ".";
  const written = await writeGeneratedFiles(out, files, options);
  const notes = ["The CI files passed the offline structural check."];
  if (options.github)
    notes.push(
      "The deploy job reads a kubeconfig from the KUBECONFIG secret and waits on the 'production' environment.",
    );
  if (options.jenkins) notes.push("Jenkins needs a 'registry' username/password credential for the push stage.");
  return { written, notes };
}

/** `lathe deploy validate <paths…>`: checks Kubernetes manifests, workflows and Jenkinsfiles by name. */
export async function validateDeployFiles(
  paths: readonly string[],
  cwd = process.cwd(),
): Promise<{ checked: string[]; notes: string[] }> {
  const manifests: Record<string, string> = {};
  const problems: Problem[] = [];
  const checked: string[] = [];
  const visit = async (path: string): Promise<void> => {
    const absolute = resolve(cwd, path);
    let entries: string[] | undefined;
    try {
      entries = await readdir(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT")
        throw invalidParameter(`${path} does not exist. Give a file or a folder of deployment files.`);
    }
    if (entries) {
      for (const entry of entries.sort())
        if (entry !== "node_modules" && entry !== ".git") await visit(join(path, entry));
      return;
    }
    if (!(/\.ya?ml$/.test(absolute) || basename(absolute) === "Jenkinsfile")) return;
    const text = await readFile(absolute, "utf8");
    const shown = relative(cwd, absolute) || path;
    checked.push(shown);
    if (basename(absolute) === "Jenkinsfile") problems.push(...validateJenkinsfile(text, shown));
    else if (/(^|\/)\.github\/workflows\//.test(absolute)) problems.push(...validateGithubWorkflow(text, shown));
    else if (/\.ya?ml$/.test(absolute) && /^\s*(apiVersion|kind):/m.test(text)) manifests[shown] = text;
    else checked.pop();
  };
  for (const path of paths) await visit(path);
  problems.push(...validateKubernetesFiles(manifests));
  failOn(problems, "Deployment files");
  if (checked.length === 0)
    throw invalidParameter(
      `Found no Kubernetes manifest, workflow or Jenkinsfile in ${paths.join(", ")}. Point at deploy/k8s, .github/workflows or a Jenkinsfile.`,
    );
  const notes: string[] = [];
  if (Object.keys(manifests).length > 0) {
    const kubectl = kubectlDryRun(Object.keys(manifests).map((file) => resolve(cwd, file)));
    failOn(kubectl.problems, "The manifests");
    notes.push(kubectl.note);
  }
  return { checked, notes };
}
