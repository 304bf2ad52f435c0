/**
 * @module deploy/github
 * A GitHub Actions workflow for a Lathe project: install, lint and test; validate the raw data
 * when a suite exists, reproduce the pipeline and post `lathe metrics diff` on the pull request;
 * on main, build and push the image to GHCR and deploy it to Kubernetes behind an environment.
 */
import { stringify } from "yaml";
import { checkResourceName } from "./names.js";
import type { GeneratedFiles } from "./output.js";

export interface CiOptions {
  /** Image and Deployment name (default "lathe-model"). */
  name?: string;
  /** Raw data the suite checks (default data/raw/churn.csv). */
  data?: string;
  /** Expectation suite (default references/expectations.yml); the step runs only when the file exists. */
  suite?: string;
  /** Folder with the Kubernetes manifests (default deploy/k8s). */
  manifests?: string;
}

// GitHub's expression syntax, kept out of template literals.
const expr = (text: string) => ["$", "{{ ", text, " }}"].join("");

const checkout = (fetchDepth?: number) => ({
  name: "Check out",
  uses: "actions/checkout@v4",
  ...(fetchDepth === undefined ? {} : { with: { "fetch-depth": fetchDepth } }),
});
const setupNode = {
  name: "Set up Node",
  uses: "actions/setup-node@v4",
  with: { "node-version": expr("env.NODE_VERSION"), cache: "npm" },
};
const install = { name: "Install", run: "npm ci" };
const onMain = "github.event_name == 'push' && github.ref == 'refs/heads/main'";

/** `.github/workflows/ml.yml`, relative to the output folder. */
export function githubWorkflow(options: CiOptions = {}): GeneratedFiles {
  const name = checkResourceName(options.name ?? "lathe-model");
  const data = options.data ?? "data/raw/churn.csv";
  const suite = options.suite ?? "references/expectations.yml";
  const manifests = options.manifests ?? "deploy/k8s";
  const workflow = {
    name: "ml-pipeline",
    on: { push: { branches: ["main"] }, pull_request: {}, workflow_dispatch: {} },
    concurrency: { group: `${expr("github.workflow")}-${expr("github.ref")}`, "cancel-in-progress": true },
    permissions: { contents: "read" },
    env: { NODE_VERSION: "20", IMAGE: `ghcr.io/${expr("github.repository_owner")}/${name}` },
    jobs: {
      test: {
        name: "Lint and test",
        "runs-on": "ubuntu-latest",
        steps: [
          checkout(),
          setupNode,
          install,
          { name: "Lint", run: "npm run lint --if-present" },
          { name: "Test", run: "npm test --if-present" },
        ],
      },
      pipeline: {
        name: "Data and pipeline",
        needs: "test",
        "runs-on": "ubuntu-latest",
        permissions: { contents: "read", "pull-requests": "write" },
        steps: [
          checkout(0),
          setupNode,
          install,
          {
            name: "Cache the data cache",
            uses: "actions/cache@v4",
            with: {
              path: ".dvc/cache",
              key: `lathe-${expr("hashFiles('**/*.dvc', 'dvc.lock')")}`,
              "restore-keys": "lathe-",
            },
          },
          { name: "Pull data", run: "npx lathe pull || echo 'No data remote reachable; using the data in the cache.'" },
          {
            name: "Validate data",
            if: `hashFiles('${suite}') != ''`,
            run: `npx lathe validate ${data} --suite ${suite}`,
          },
          { name: "Reproduce the pipeline", run: "npx lathe repro" },
          {
            name: "Compare metrics with main",
            run: [
              "git fetch --no-tags origin main || true",
              "{",
              "  echo '## Metrics against main'",
              "  echo",
              "  npx lathe metrics diff origin/main --md || echo 'No metrics on main yet.'",
              "} > report.md",
              'cat report.md >> "$GITHUB_STEP_SUMMARY"',
            ].join("\n"),
          },
          {
            name: "Comment on the pull request",
            if: "github.event_name == 'pull_request'",
            env: { GH_TOKEN: expr("github.token") },
            run: `gh pr comment ${expr("github.event.pull_request.number")} --body-file report.md`,
          },
          {
            name: "Keep the model and reports",
            uses: "actions/upload-artifact@v4",
            with: { name: "model", path: "models/\nreports/\ndvc.lock" },
          },
        ],
      },
      image: {
        name: "Build and push the image",
        needs: "pipeline",
        if: onMain,
        "runs-on": "ubuntu-latest",
        permissions: { contents: "read", packages: "write" },
        steps: [
          checkout(),
          { name: "Fetch the model", uses: "actions/download-artifact@v4", with: { name: "model" } },
          {
            name: "Log in to GHCR",
            uses: "docker/login-action@v3",
            with: { registry: "ghcr.io", username: expr("github.actor"), password: expr("secrets.GITHUB_TOKEN") },
          },
          {
            name: "Build and push",
            uses: "docker/build-push-action@v6",
            with: {
              context: ".",
              file: "deploy/Dockerfile",
              push: true,
              tags: `${expr("env.IMAGE")}:${expr("github.sha")}\n${expr("env.IMAGE")}:latest`,
            },
          },
        ],
      },
      deploy: {
        name: "Deploy",
        needs: "image",
        if: onMain,
        "runs-on": "ubuntu-latest",
        environment: "production",
        steps: [
          checkout(),
          { name: "Set up kubectl", uses: "azure/setup-kubectl@v4" },
          {
            name: "Deploy to Kubernetes",
            env: { KUBECONFIG_DATA: expr("secrets.KUBECONFIG") },
            run: [
              'echo "$KUBECONFIG_DATA" > "$RUNNER_TEMP/kubeconfig"',
              'export KUBECONFIG="$RUNNER_TEMP/kubeconfig"',
              `kubectl apply -f ${manifests}`,
              `kubectl set image deployment/${name} model-server="$IMAGE:${expr("github.sha")}"`,
              `kubectl rollout status deployment/${name} --timeout=300s`,
            ].join("\n"),
          },
        ],
      },
    },
  };
  const header = "# CI/CD for the model: test, validate data, reproduce, compare metrics, build, deploy.\n";
  return { ".github/workflows/ml.yml": header + stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false }) };
}
