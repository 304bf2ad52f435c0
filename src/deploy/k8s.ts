/**
 * @module deploy/k8s
 * Kubernetes manifests for the model server: a ConfigMap with the `LATHE_SERVE_*` settings, a
 * Deployment with probes on the Open Inference Protocol health routes, a zero-downtime rolling
 * update and a locked-down security context, a Service, and a CPU-based HorizontalPodAutoscaler.
 */
import { stringify } from "yaml";
import { checkImage, checkResourceName } from "./names.js";
import type { GeneratedFiles } from "./output.js";

export interface KubernetesOptions {
  /** Name of every resource (default "lathe-model"). */
  name?: string;
  /** Container image (default "<name>:latest", loaded with `minikube image load`). */
  image?: string;
  /** Initial replicas and the autoscaler's floor (default 2). */
  replicas?: number;
  /** Autoscaler ceiling (default max(replicas × 3, replicas + 2)). */
  maxReplicas?: number;
  /** NodePort Service for minikube instead of a LoadBalancer. */
  minikube?: boolean;
  /** Tracking server the pods resolve `models:/` URIs against. */
  trackingUri?: string;
}

export interface KubernetesManifests {
  files: GeneratedFiles;
  /** What to tell the user after writing (how to reach the Service). */
  notes: string[];
}

const PORT = 8080;

function toYaml(resource: object): string {
  return stringify(resource, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The four manifests, as files `configmap.yaml`, `deployment.yaml`, `service.yaml`, `hpa.yaml`. */
export function kubernetesManifests(options: KubernetesOptions = {}): KubernetesManifests {
  const name = checkResourceName(options.name ?? "lathe-model");
  const image = checkImage(options.image ?? `${name}:latest`);
  const replicas = options.replicas ?? 2;
  const maxReplicas = Math.max(options.maxReplicas ?? Math.max(replicas * 3, replicas + 2), replicas);
  const selector = { "app.kubernetes.io/name": name, "app.kubernetes.io/component": "model-server" };
  const labels = { ...selector, "app.kubernetes.io/part-of": "lathe", "app.kubernetes.io/managed-by": "lathe" };
  const configName = `${name}-config`;
  const settings: Record<string, string> = {
    LATHE_SERVE_HOST: "0.0.0.0",
    LATHE_SERVE_PORT: String(PORT),
    LATHE_SERVE_WORKERS: "1",
    // The root file system is read-only; the prediction log and downloads go to the tmp volume.
    LATHE_SERVE_LOG_DIR: "/tmp/predictions",
    TMPDIR: "/tmp",
  };
  if (options.trackingUri) settings.MLFLOW_TRACKING_URI = options.trackingUri;

  const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: configName, labels }, data: settings };
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: "http" },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  });
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels },
    spec: {
      // The autoscaler owns the count after the first apply; its floor equals this value.
      replicas,
      revisionHistoryLimit: 5,
      minReadySeconds: 5,
      selector: { matchLabels: selector },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels,
          annotations: {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": String(PORT),
            "prometheus.io/path": "/metrics",
          },
        },
        spec: {
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "model-server",
              image,
              imagePullPolicy: "IfNotPresent",
              ports: [{ name: "http", containerPort: PORT, protocol: "TCP" }],
              envFrom: [{ configMapRef: { name: configName } }],
              resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
              // Startup holds liveness off while the model loads (up to 60 s).
              startupProbe: probe("/v2/health/live", 2, 30),
              readinessProbe: probe("/v2/health/ready", 5, 3),
              livenessProbe: probe("/v2/health/live", 10, 3),
              // Lets endpoints drop the pod before the server stops taking requests.
              lifecycle: { preStop: { exec: { command: ["sleep", "5"] } } },
              securityContext: {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: {} }],
        },
      },
    },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, labels },
    spec: {
      type: options.minikube ? "NodePort" : "LoadBalancer",
      selector,
      ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
    },
  };
  const autoscaler = {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name, labels },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
      minReplicas: replicas,
      maxReplicas,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
  const notes = options.minikube
    ? [
        `Apply with: kubectl apply -f <out>; load a local image first with: minikube image load ${image}`,
        `Open the model server with: minikube service ${name} --url`,
        "The autoscaler needs metrics-server: minikube addons enable metrics-server",
      ]
    : [
        "Apply with: kubectl apply -f <out>",
        `The Service is a LoadBalancer: on minikube or kind its EXTERNAL-IP stays <pending> unless 'minikube tunnel' runs in another terminal (or use --minikube for a NodePort Service).`,
      ];
  return {
    files: {
      "configmap.yaml": toYaml(configMap),
      "deployment.yaml": toYaml(deployment),
      "service.yaml": toYaml(service),
      "hpa.yaml": toYaml(autoscaler),
    },
    notes,
  };
}
