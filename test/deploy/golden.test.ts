/**
 * Golden files: every file the deploy generators write, compared with the copy under
 * `__golden__/`. A deliberate change is accepted with `vitest run test/deploy/golden.test.ts --update`.
 */
import { describe, expect, it } from "vitest";
import { composeFiles, dockerFiles, githubWorkflow, jenkinsfile, kubernetesManifests } from "../../src/deploy/index.js";

const cases: Record<string, Record<string, string>> = {
  "docker-local": dockerFiles({ name: "churn" }),
  "docker-registry": dockerFiles({ name: "churn", model: "models:/churn@champion" }),
  compose: composeFiles({ name: "churn" }),
  "k8s-minikube": kubernetesManifests({ name: "churn", minikube: true, replicas: 1 }).files,
  "k8s-cloud": kubernetesManifests({ name: "churn", image: "ghcr.io/acme/churn:1.0", replicas: 3 }).files,
  ci: { ...githubWorkflow({ name: "churn" }), ...jenkinsfile({ name: "churn" }) },
};

describe("deploy golden files", () => {
  for (const [name, files] of Object.entries(cases))
    it(name, async () => {
      for (const [path, text] of Object.entries(files)) {
        // The dashboard belongs to src/monitoring and has its own tests; here it only has to parse.
        if (path.endsWith(".json")) {
          expect(JSON.parse(text)).toBeTypeOf("object");
          continue;
        }
        await expect(text).toMatchFileSnapshot(`__golden__/${name}/${path.replaceAll("/", "__")}.golden`);
      }
    });
});
