/**
 * @module cli/deploy
 * `lathe deploy docker|compose|k8s|ci|validate`: deployment files for the model server, written
 * into `--out` and never over existing files without `--force`.
 */
import type { Command } from "commander";
import type { DeployResult } from "../deploy/commands.js";

interface CommonFlags {
  out?: string;
  force?: boolean;
  name?: string;
}

function withWriteFlags(command: Command, defaultOut: string): Command {
  return command
    .option("-o, --out <dir>", `folder to write into (default ${defaultOut})`)
    .option("-f, --force", "replace files that already exist")
    .option("--name <name>", "model and resource name (default lathe-model)");
}

function report(result: DeployResult): void {
  const lines = [...result.written.map((path) => `Wrote ${path}`), ...result.notes];
  process.stdout.write(`${lines.join("\n")}\n`);
}

export function registerDeployCommands(program: Command): void {
  const deploy = program
    .command("deploy")
    .description("Generate Docker, Compose, Kubernetes and CI/CD files for the model.");

  withWriteFlags(deploy.command("docker"), "deploy")
    .description("A multi-stage Dockerfile for the model server, and .dockerignore.")
    .option(
      "--model <path-or-uri>",
      "model folder to bake in, or a models:/ URI fetched at start (default models/model)",
    )
    .option("--tracking-uri <uri>", "default MLFLOW_TRACKING_URI for a models:/ URI (default http://tracking:5000)")
    .action(async (flags: CommonFlags & { model?: string; trackingUri?: string }) => {
      const { deployDocker } = await import("../deploy/index.js");
      report(await deployDocker(flags));
    });

  withWriteFlags(deploy.command("compose"), "deploy")
    .description("Docker Compose: tracking server, model server, Prometheus and Grafana with its dashboard.")
    .action(async (flags: CommonFlags) => {
      const { deployCompose } = await import("../deploy/index.js");
      report(await deployCompose(flags));
    });

  withWriteFlags(deploy.command("k8s"), "deploy/k8s")
    .description("Kubernetes Deployment, Service, HorizontalPodAutoscaler and ConfigMap.")
    .option("--minikube", "NodePort Service, with the minikube commands to reach it")
    .option("--replicas <n>", "initial replicas and the autoscaler's minimum (default 2)")
    .option("--max-replicas <n>", "the autoscaler's maximum (default 3 × replicas)")
    .option("--image <image>", "container image (default <name>:latest)")
    .option("--tracking-uri <uri>", "MLFLOW_TRACKING_URI for the pods")
    .option("--validate", "check the manifests offline (and with kubectl --dry-run=client when installed)")
    .action(
      async (
        flags: CommonFlags & {
          minikube?: boolean;
          replicas?: string;
          maxReplicas?: string;
          image?: string;
          trackingUri?: string;
          validate?: boolean;
        },
      ) => {
        const [{ deployKubernetes }, { parseWholeNumber }] = await Promise.all([
          import("../deploy/index.js"),
          import("../deploy/names.js"),
        ]);
        report(
          await deployKubernetes({
            ...flags,
            replicas: parseWholeNumber(flags.replicas, "--replicas", 1, 1000),
            maxReplicas: parseWholeNumber(flags.maxReplicas, "--max-replicas", 1, 1000),
          }),
        );
      },
    );

  withWriteFlags(deploy.command("ci"), ".")
    .description("CI/CD: a GitHub Actions workflow (--github) and/or a declarative Jenkinsfile (--jenkins).")
    .option("--github", "write .github/workflows/ml.yml")
    .option("--jenkins", "write Jenkinsfile")
    .option("--registry <registry>", "image registry for Jenkins (default ghcr.io/your-org)")
    .action(async (flags: CommonFlags & { github?: boolean; jenkins?: boolean; registry?: string }) => {
      const { deployCi } = await import("../deploy/index.js");
      report(await deployCi(flags));
    });

  deploy
    .command("validate <paths...>")
    .description("Check Kubernetes manifests, GitHub workflows and Jenkinsfiles offline.")
    .action(async (paths: string[]) => {
      const { validateDeployFiles } = await import("../deploy/index.js");
      const result = await validateDeployFiles(paths);
      process.stdout.write(`${[...result.checked.map((path) => `OK ${path}`), ...result.notes].join("\n")}\n`);
    });
}
