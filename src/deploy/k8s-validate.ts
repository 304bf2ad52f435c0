/**
 * @module deploy/k8s-validate
 * An offline structural check of the kinds `lathe deploy k8s` writes (apps/v1 Deployment, v1
 * Service and ConfigMap, autoscaling/v2 HorizontalPodAutoscaler): apiVersion/kind pairs, required
 * fields and their types, and the references between them — the selector must match the pod
 * labels, probes must name a container port, the Service must select pods, the autoscaler must
 * target a Deployment in the set. Field names and enums follow the Kubernetes API reference.
 */
import { parseAllDocuments } from "yaml";
import { Checker, isObject, type Json, type Problem } from "./checks.js";

const KINDS: Record<string, string> = {
  Deployment: "apps/v1",
  Service: "v1",
  ConfigMap: "v1",
  HorizontalPodAutoscaler: "autoscaling/v2",
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e[0-9]+)?$/;
const INT_OR_PERCENT = /^[0-9]+%$/;

interface Resource {
  kind: string;
  name: string;
  body: Record<string, Json>;
  file: string;
}

interface PortSet {
  names: Set<string>;
  numbers: Set<number>;
}

interface PodInfo {
  deployment: string;
  labels: Record<string, string>;
  configMaps: string[];
  ports: PortSet;
}

function checkMetadata(check: Checker, body: Record<string, Json>): string | undefined {
  const metadata = check.object(body.metadata, "metadata");
  if (!metadata) return undefined;
  const name = check.string(metadata.name, "metadata.name");
  if (name !== undefined && !DNS_SUBDOMAIN.test(name))
    check.report("metadata.name", `'${name}' must be lower-case letters, digits, '-' and '.'`);
  if (metadata.labels !== undefined) check.stringMap(metadata.labels, "metadata.labels");
  return name;
}

function checkQuantities(check: Checker, value: Json, path: string): void {
  const map = check.object(value, path, false);
  if (!map) return;
  for (const [key, quantity] of Object.entries(map)) {
    const text = typeof quantity === "number" ? String(quantity) : quantity;
    if (typeof text !== "string" || !QUANTITY.test(text))
      check.report(`${path}.${key}`, `must be a quantity such as 250m, 1 or 512Mi, got ${JSON.stringify(quantity)}`);
  }
}

function checkProbe(check: Checker, value: Json, path: string, ports: PortSet) {
  const probe = check.object(value, path, false);
  if (!probe) return;
  for (const field of ["periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold"])
    check.integer(probe[field], `${path}.${field}`, { min: 1 });
  check.integer(probe.initialDelaySeconds, `${path}.initialDelaySeconds`, { min: 0 });
  const handlers = ["httpGet", "tcpSocket", "exec", "grpc"].filter((key) => probe[key] !== undefined);
  if (handlers.length !== 1) check.report(path, "must have exactly one of httpGet, tcpSocket, exec or grpc");
  const action = check.object(
    probe.httpGet ?? probe.tcpSocket,
    `${path}.${probe.httpGet ? "httpGet" : "tcpSocket"}`,
    false,
  );
  if (!action) return;
  const portPath = `${path}.${probe.httpGet ? "httpGet" : "tcpSocket"}.port`;
  if (probe.httpGet) {
    const route = check.string(action.path, `${path}.httpGet.path`, false);
    if (route !== undefined && !route.startsWith("/")) check.report(`${path}.httpGet.path`, "must start with '/'");
  }
  const port = action.port;
  if (typeof port === "string") {
    if (!ports.names.has(port))
      check.report(
        portPath,
        `names port '${port}', which no container port declares (known: ${[...ports.names].join(", ") || "none"})`,
      );
  } else if (typeof port === "number") {
    if (!ports.numbers.has(port))
      check.report(
        portPath,
        `is ${port}, which is not among the containerPorts (${[...ports.numbers].join(", ") || "none"})`,
      );
  } else check.report(portPath, "is required (a port number or a container port name)");
}

function checkContainer(check: Checker, value: Json, path: string, configMaps: string[], podPorts: PortSet): void {
  const container = check.object(value, path);
  if (!container) return;
  check.string(container.name, `${path}.name`);
  check.string(container.image, `${path}.image`);
  check.oneOf(container.imagePullPolicy, `${path}.imagePullPolicy`, ["Always", "IfNotPresent", "Never"]);
  const ports = { names: new Set<string>(), numbers: new Set<number>() };
  (check.array(container.ports, `${path}.ports`, false) ?? []).forEach((entry, index) => {
    const portPath = `${path}.ports[${index}]`;
    const port = check.object(entry, portPath);
    if (!port) return;
    const number = check.integer(port.containerPort, `${portPath}.containerPort`, {
      required: true,
      min: 1,
      max: 65535,
    });
    if (number !== undefined) ports.numbers.add(number);
    const name = check.string(port.name, `${portPath}.name`, false);
    if (name !== undefined) {
      if (!/^[a-z0-9-]{1,15}$/.test(name))
        check.report(`${portPath}.name`, "must be at most 15 lower-case letters, digits or '-'");
      ports.names.add(name);
    }
    check.oneOf(port.protocol, `${portPath}.protocol`, ["TCP", "UDP", "SCTP"]);
  });
  for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"])
    checkProbe(check, container[probe], `${path}.${probe}`, ports);
  for (const name of ports.names) podPorts.names.add(name);
  for (const number of ports.numbers) podPorts.numbers.add(number);
  const resources = check.object(container.resources, `${path}.resources`, false);
  if (resources) {
    checkQuantities(check, resources.requests, `${path}.resources.requests`);
    checkQuantities(check, resources.limits, `${path}.resources.limits`);
  }
  (check.array(container.envFrom, `${path}.envFrom`, false) ?? []).forEach((entry, index) => {
    const source = check.object(entry, `${path}.envFrom[${index}]`);
    const ref = source && check.object(source.configMapRef, `${path}.envFrom[${index}].configMapRef`, false);
    const name = ref && check.string(ref.name, `${path}.envFrom[${index}].configMapRef.name`);
    if (name) configMaps.push(name);
  });
  const security = check.object(container.securityContext, `${path}.securityContext`, false);
  if (security) {
    for (const flag of ["runAsNonRoot", "readOnlyRootFilesystem", "allowPrivilegeEscalation", "privileged"])
      check.boolean(security[flag], `${path}.securityContext.${flag}`);
    const capabilities = check.object(security.capabilities, `${path}.securityContext.capabilities`, false);
    if (capabilities) check.array(capabilities.drop, `${path}.securityContext.capabilities.drop`, false);
  }
}

function checkDeployment(check: Checker, body: Record<string, Json>, name: string, pods: PodInfo[]): void {
  const spec = check.object(body.spec, "spec");
  if (!spec) return;
  check.integer(spec.replicas, "spec.replicas", { min: 0 });
  const selector = check.object(spec.selector, "spec.selector");
  const matchLabels = selector && check.stringMap(selector.matchLabels, "spec.selector.matchLabels");
  if (matchLabels && Object.keys(matchLabels).length === 0)
    check.report("spec.selector.matchLabels", "must not be empty");
  const strategy = check.object(spec.strategy, "spec.strategy", false);
  if (strategy) {
    check.oneOf(strategy.type, "spec.strategy.type", ["RollingUpdate", "Recreate"]);
    const rolling = check.object(strategy.rollingUpdate, "spec.strategy.rollingUpdate", false);
    for (const field of ["maxSurge", "maxUnavailable"]) {
      const value = rolling?.[field];
      if (
        value !== undefined &&
        !(Number.isInteger(value) || (typeof value === "string" && INT_OR_PERCENT.test(value)))
      )
        check.report(
          `spec.strategy.rollingUpdate.${field}`,
          `must be a whole number or a percentage like '25%', got ${JSON.stringify(value)}`,
        );
    }
  }
  const template = check.object(spec.template, "spec.template");
  const metadata = template && check.object(template.metadata, "spec.template.metadata");
  const labels = (metadata && check.stringMap(metadata.labels, "spec.template.metadata.labels")) ?? {};
  if (matchLabels) {
    const missing = Object.entries(matchLabels).filter(([key, value]) => labels[key] !== value);
    if (missing.length > 0)
      check.report(
        "spec.selector.matchLabels",
        `does not match spec.template.metadata.labels: ${missing.map(([key, value]) => `${key}=${value}`).join(", ")} missing from the pod labels`,
      );
  }
  const podSpec = template && check.object(template.spec, "spec.template.spec");
  if (!podSpec) return;
  const configMaps: string[] = [];
  const ports: PortSet = { names: new Set(), numbers: new Set() };
  const containers = check.array(podSpec.containers, "spec.template.spec.containers", true, true) ?? [];
  containers.forEach((container, index) => {
    checkContainer(check, container, `spec.template.spec.containers[${index}]`, configMaps, ports);
  });
  pods.push({ deployment: name, labels, configMaps, ports });
}

interface ServiceInfo {
  selector?: Record<string, string>;
  /** Each port's target (a container port name or number) and where it is written. */
  targets: { path: string; target: string | number }[];
}

function checkService(check: Checker, body: Record<string, Json>): ServiceInfo {
  const targets: ServiceInfo["targets"] = [];
  const spec = check.object(body.spec, "spec");
  if (!spec) return { targets };
  const type = check.oneOf(spec.type, "spec.type", ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]);
  const ports = check.array(spec.ports, "spec.ports", true, true) ?? [];
  ports.forEach((entry, index) => {
    const path = `spec.ports[${index}]`;
    const port = check.object(entry, path);
    if (!port) return;
    check.integer(port.port, `${path}.port`, { required: true, min: 1, max: 65535 });
    // Without targetPort, traffic goes to the container port numbered like the Service port.
    const target = port.targetPort ?? port.port;
    if (typeof target === "string" || (typeof target === "number" && Number.isInteger(target)))
      targets.push({ path: port.targetPort === undefined ? `${path}.port` : `${path}.targetPort`, target });
    else if (port.targetPort !== undefined)
      check.report(`${path}.targetPort`, "must be a port number or a container port name");
    if (port.nodePort !== undefined) {
      if (type !== "NodePort" && type !== "LoadBalancer")
        check.report(`${path}.nodePort`, "is only allowed with type NodePort or LoadBalancer");
      check.integer(port.nodePort, `${path}.nodePort`, { min: 30000, max: 32767 });
    }
    check.oneOf(port.protocol, `${path}.protocol`, ["TCP", "UDP", "SCTP"]);
  });
  return { selector: check.stringMap(spec.selector, "spec.selector", type !== "ExternalName"), targets };
}

function checkAutoscaler(check: Checker, body: Record<string, Json>): { kind?: string; name?: string } {
  const spec = check.object(body.spec, "spec");
  if (!spec) return {};
  const target = check.object(spec.scaleTargetRef, "spec.scaleTargetRef");
  const min = check.integer(spec.minReplicas, "spec.minReplicas", { min: 1 });
  const max = check.integer(spec.maxReplicas, "spec.maxReplicas", { required: true, min: 1 });
  if (min !== undefined && max !== undefined && min > max)
    check.report("spec.minReplicas", `(${min}) must not exceed spec.maxReplicas (${max})`);
  (check.array(spec.metrics, "spec.metrics", false) ?? []).forEach((entry, index) => {
    const path = `spec.metrics[${index}]`;
    const metric = check.object(entry, path);
    if (!metric) return;
    const type = check.oneOf(
      metric.type,
      `${path}.type`,
      ["Resource", "Pods", "Object", "External", "ContainerResource"],
      true,
    );
    if (type !== "Resource") return;
    const resource = check.object(metric.resource, `${path}.resource`);
    if (!resource) return;
    check.string(resource.name, `${path}.resource.name`);
    const goal = check.object(resource.target, `${path}.resource.target`);
    if (!goal) return;
    const kind = check.oneOf(goal.type, `${path}.resource.target.type`, ["Utilization", "AverageValue", "Value"], true);
    if (kind === "Utilization")
      check.integer(goal.averageUtilization, `${path}.resource.target.averageUtilization`, { required: true, min: 1 });
  });
  if (!target) return {};
  check.string(target.apiVersion, "spec.scaleTargetRef.apiVersion");
  return {
    kind: check.string(target.kind, "spec.scaleTargetRef.kind"),
    name: check.string(target.name, "spec.scaleTargetRef.name"),
  };
}

/** Parses YAML files (several documents each allowed) and checks every resource and the links between them. */
export function validateKubernetesFiles(files: Record<string, string>): Problem[] {
  const problems: Problem[] = [];
  const resources: Resource[] = [];
  for (const [file, text] of Object.entries(files)) {
    for (const [index, document] of parseAllDocuments(text).entries()) {
      const where = `document ${index + 1}`;
      if (document.errors.length > 0) {
        problems.push({ file, where, path: "", message: `is not valid YAML: ${document.errors[0]!.message}` });
        continue;
      }
      const body = document.toJS() as Json;
      if (body === null || body === undefined) continue;
      const check = new Checker(file, where);
      if (!isObject(body)) check.report("", "must be a mapping with apiVersion and kind");
      else {
        const kind = check.string(body.kind, "kind");
        const apiVersion = check.string(body.apiVersion, "apiVersion");
        const name = checkMetadata(check, body);
        check.where = `${kind ?? "?"}/${name ?? "?"}`;
        if (kind && !(kind in KINDS)) check.report("kind", `'${kind}' is not one of ${Object.keys(KINDS).join(", ")}`);
        else if (kind && apiVersion && KINDS[kind] !== apiVersion)
          check.report("apiVersion", `must be ${KINDS[kind]} for ${kind}, got '${apiVersion}'`);
        else if (kind && name) resources.push({ kind, name, body, file });
      }
      problems.push(...check.problems);
    }
  }
  const pods: PodInfo[] = [];
  const links: { check: Checker; run: () => void }[] = [];
  for (const resource of resources) {
    const check = new Checker(resource.file, `${resource.kind}/${resource.name}`);
    if (resource.kind === "Deployment") checkDeployment(check, resource.body, resource.name, pods);
    else if (resource.kind === "ConfigMap") check.stringMap(resource.body.data, "data", false);
    else if (resource.kind === "Service") {
      const { selector, targets } = checkService(check, resource.body);
      if (selector)
        links.push({
          check,
          run: () => {
            const selected = pods.filter((pod) =>
              Object.entries(selector).every(([key, value]) => pod.labels[key] === value),
            );
            if (selected.length === 0) {
              check.report(
                "spec.selector",
                "selects no pods: no Deployment's pod template carries all of these labels",
              );
              return;
            }
            for (const { path, target } of targets) {
              const known = selected.some((pod) =>
                typeof target === "string" ? pod.ports.names.has(target) : pod.ports.numbers.has(target),
              );
              if (!known) check.report(path, `'${target}' is not a port of the selected pods`);
            }
          },
        });
    } else if (resource.kind === "HorizontalPodAutoscaler") {
      const target = checkAutoscaler(check, resource.body);
      if (target.name)
        links.push({
          check,
          run: () => {
            if (target.kind !== "Deployment" || !pods.some((pod) => pod.deployment === target.name))
              check.report(
                "spec.scaleTargetRef",
                `names ${target.kind}/${target.name}, which is not a Deployment in these manifests`,
              );
          },
        });
    }
    problems.push(...check.problems);
  }
  const configMaps = new Set(resources.filter((entry) => entry.kind === "ConfigMap").map((entry) => entry.name));
  for (const pod of pods)
    for (const name of pod.configMaps)
      if (!configMaps.has(name))
        problems.push({
          file: resources.find((entry) => entry.name === pod.deployment && entry.kind === "Deployment")?.file ?? "",
          where: `Deployment/${pod.deployment}`,
          path: "spec.template.spec.containers[].envFrom.configMapRef.name",
          message: `names ConfigMap '${name}', which is not in these manifests`,
        });
  for (const link of links) {
    const before = link.check.problems.length;
    link.run();
    problems.push(...link.check.problems.slice(before));
  }
  return problems;
}
