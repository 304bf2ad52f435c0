/**
 * `lathe deploy k8s`: the manifests carry the checklist (probes, rolling update, security
 * context, HPA) and pass the structural validator, which rejects broken manifests naming the field.
 */
import { mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { deployKubernetes, kubernetesManifests, validateKubernetesFiles } from "../../src/deploy/index.js";

// biome-ignore lint/suspicious/noExplicitAny: test-only poking at parsed manifests
type Doc = Record<string, any>;

let folder: string;
beforeAll(async () => {
  folder = await realpath(await mkdtemp(join(tmpdir(), "lathe-k8s-")));
});
afterAll(async () => rm(folder, { recursive: true, force: true }));

function generated(options: Parameters<typeof kubernetesManifests>[0] = {}): Record<string, Doc> {
  const { files } = kubernetesManifests(options);
  return Object.fromEntries(Object.entries(files).map(([file, text]) => [file, parse(text) as Doc]));
}

function validate(docs: Record<string, Doc>) {
  return validateKubernetesFiles(Object.fromEntries(Object.entries(docs).map(([file, doc]) => [file, stringify(doc)])));
}

describe("kubernetesManifests", () => {
  it("writes a Deployment that follows the serving checklist", () => {
    const deployment = generated({ replicas: 3 })["deployment.yaml"]!;
    expect(deployment.apiVersion).toBe("apps/v1");
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe("/v2/health/ready");
    expect(container.livenessProbe.httpGet.path).toBe("/v2/health/live");
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
  });

  it("uses NodePort with --minikube and prints the minikube service command", () => {
    const manifests = kubernetesManifests({ minikube: true, name: "churn" });
    expect((parse(manifests.files["service.yaml"]!) as Doc).spec.type).toBe("NodePort");
    expect(manifests.notes.join("\n")).toContain("minikube service churn --url");
  });

  it("warns that a LoadBalancer stays pending on minikube without a tunnel", () => {
    const manifests = kubernetesManifests();
    expect((parse(manifests.files["service.yaml"]!) as Doc).spec.type).toBe("LoadBalancer");
    expect(manifests.notes.join("\n")).toContain("minikube tunnel");
  });

  it("scales the Deployment with an autoscaling/v2 HPA", () => {
    const hpa = generated({ replicas: 2 })["hpa.yaml"]!;
    expect(hpa.apiVersion).toBe("autoscaling/v2");
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "lathe-model" });
    expect(hpa.spec.minReplicas).toBe(2);
  });

  it("rejects a bad name or image with the fix", () => {
    expect(() => kubernetesManifests({ name: "Churn_Model" })).toThrow(/--name 'Churn_Model'.*churn-model/);
    expect(() => kubernetesManifests({ image: "not an image" })).toThrow(/--image/);
  });
});

describe("validateKubernetesFiles", () => {
  it("accepts the generated manifests", () => {
    expect(validate(generated())).toEqual([]);
    expect(validate(generated({ minikube: true, replicas: 1 }))).toEqual([]);
  });

  it("rejects a selector that does not match the pod labels", () => {
    const docs = generated();
    docs["deployment.yaml"]!.spec.selector.matchLabels["app.kubernetes.io/name"] = "other";
    const problems = validate(docs);
    expect(problems.map((problem) => problem.path)).toContain("spec.selector.matchLabels");
    expect(problems.find((problem) => problem.path === "spec.selector.matchLabels")?.message).toContain(
      "app.kubernetes.io/name=other",
    );
  });

  it("rejects a probe on a port no container declares", () => {
    const docs = generated();
    docs["deployment.yaml"]!.spec.template.spec.containers[0].readinessProbe.httpGet.port = 9090;
    const [problem] = validate(docs);
    expect(problem?.path).toBe("spec.template.spec.containers[0].readinessProbe.httpGet.port");
    expect(problem?.message).toContain("9090");
  });

  it("rejects a wrong apiVersion, a string replica count and a missing image", () => {
    const docs = generated();
    docs["hpa.yaml"]!.apiVersion = "autoscaling/v1";
    docs["deployment.yaml"]!.spec.replicas = "2";
    delete docs["deployment.yaml"]!.spec.template.spec.containers[0].image;
    const paths = validate(docs).map((problem) => `${problem.file} ${problem.path}`);
    expect(paths).toContain("hpa.yaml apiVersion");
    expect(paths).toContain("deployment.yaml spec.replicas");
    expect(paths).toContain("deployment.yaml spec.template.spec.containers[0].image");
  });

  it("rejects an HPA aimed at a missing Deployment and a Service selecting no pods", () => {
    const docs = generated();
    docs["hpa.yaml"]!.spec.scaleTargetRef.name = "ghost";
    docs["service.yaml"]!.spec.selector = { app: "nothing" };
    const paths = validate(docs).map((problem) => problem.path);
    expect(paths).toContain("spec.scaleTargetRef");
    expect(paths).toContain("spec.selector");
  });

  it("rejects a Service whose targetPort no selected pod exposes", () => {
    const docs = generated();
    docs["service.yaml"]!.spec.ports[0].targetPort = "grpc";
    const [problem] = validate(docs);
    expect(problem?.path).toBe("spec.ports[0].targetPort");
    expect(problem?.message).toContain("'grpc'");
  });

  it("rejects an unknown kind and YAML that does not parse", () => {
    const problems = validateKubernetesFiles({
      "a.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
      "b.yaml": "a: [1\n",
    });
    expect(problems.map((problem) => `${problem.file} ${problem.path}`)).toEqual(["a.yaml kind", "b.yaml "]);
  });
});

describe("deployKubernetes", () => {
  it("writes and validates the manifests, refusing to overwrite without --force", async () => {
    const out = join(folder, "k8s");
    const result = await deployKubernetes({ out, validate: true, minikube: true });
    expect(result.written).toHaveLength(4);
    expect(result.notes.join("\n")).toContain("passed the offline structural check");
    expect(result.notes.join("\n")).toMatch(/kubectl/);
    await expect(deployKubernetes({ out })).rejects.toThrow(/--force/);
    await deployKubernetes({ out, force: true, replicas: 4 });
    expect(await readFile(join(out, "deployment.yaml"), "utf8")).toContain("replicas: 4");
  });
});
