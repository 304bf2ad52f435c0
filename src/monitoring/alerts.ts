/**
 * @module monitoring/alerts
 * Alert rules over the monitoring metrics, in YAML:
 *
 * ```yaml
 * rules:
 *   - name: FeatureDrift            # a Prometheus alert name: letters, digits, _
 *     metric: drift_p_value         # or drift_p_value.<feature>, dataset_drift, accuracy, f1_macro, mae, ...
 *     condition: "< 0.05"           # <, <=, >, >=, ==, != and a number
 *     for: 2m                       # how long the condition holds before the alert fires (default 0s)
 *     severity: warning             # warning | critical | info
 *     labels: { team: ml }
 *     actions:
 *       - webhook: http://alerts.example/hook
 *       - command: "sh ./retrain.sh"
 *       - log: true
 * ```
 *
 * `lathe monitor --watch --rules` evaluates them per window as Prometheus does: inactive → pending
 * when the condition first holds → firing once it has held for `for`; back to inactive (resolved)
 * when it stops. Actions run on firing and on resolution; a failing action is reported, never thrown.
 */
import { spawn } from "node:child_process";
import { parse as parseYaml } from "yaml";
import { invalidParameter } from "../core/errors.js";
import { parseDuration } from "./duration.js";

export type Operator = "<" | "<=" | ">" | ">=" | "==" | "!=";
export type Severity = "info" | "warning" | "critical";
export type AlertAction = { readonly webhook: string } | { readonly command: string } | { readonly log: true };

export interface AlertRule {
  readonly name: string;
  readonly metric: string;
  readonly operator: Operator;
  readonly threshold: number;
  readonly forMs: number;
  readonly severity: Severity;
  readonly labels: Readonly<Record<string, string>>;
  readonly actions: readonly AlertAction[];
  /** The condition as written, e.g. "< 0.05". */
  readonly condition: string;
  /** The `for` duration as written. */
  readonly forText: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SEVERITIES: readonly Severity[] = ["info", "warning", "critical"];

function fail(source: string, where: string, problem: string): never {
  throw invalidParameter(`${source}: ${where} ${problem}`);
}

function parseAction(value: unknown, source: string, where: string): AlertAction {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail(source, where, 'must be one of {webhook: URL}, {command: "sh ..."}, {log: true}.');
  const action = value as Record<string, unknown>;
  if (typeof action.webhook === "string") {
    if (!/^https?:\/\//.test(action.webhook))
      fail(source, where, `webhook '${action.webhook}' must be an http(s) URL.`);
    return { webhook: action.webhook };
  }
  if (typeof action.command === "string" && action.command.trim() !== "") return { command: action.command };
  if (action.log === true) return { log: true };
  return fail(source, where, 'must be one of {webhook: URL}, {command: "sh ..."}, {log: true}.');
}

function parseRule(value: unknown, source: string, index: number): AlertRule {
  const where = `rules[${index}]`;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail(source, where, "must be a mapping with name, metric, condition and actions.");
  const rule = value as Record<string, unknown>;
  const name = rule.name;
  if (typeof name !== "string" || !NAME.test(name))
    fail(
      source,
      `${where}.name`,
      `must be letters, digits and _ (a Prometheus alert name), e.g. FeatureDrift; got ${JSON.stringify(name)}.`,
    );
  const at = `${where} (${name})`;
  if (typeof rule.metric !== "string" || rule.metric.trim() === "")
    fail(source, `${at}.metric`, "is missing: name a monitoring metric (drift_p_value, dataset_drift, accuracy, ...).");
  const condition = typeof rule.condition === "string" ? rule.condition.trim() : "";
  const match = /^(<=|>=|==|!=|<|>)\s*(-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)$/i.exec(condition);
  if (!match)
    fail(
      source,
      `${at}.condition`,
      `must be an operator and a number, e.g. "< 0.05" or ">= 1"; got ${JSON.stringify(rule.condition)}.`,
    );
  const forText = rule.for === undefined ? "0s" : String(rule.for);
  const forMs = parseDuration(forText, `${source}: ${at}.for`);
  const severity = (rule.severity ?? "warning") as Severity;
  if (!SEVERITIES.includes(severity))
    fail(source, `${at}.severity`, `must be one of ${SEVERITIES.join(", ")}; got '${String(rule.severity)}'.`);
  const labels: Record<string, string> = {};
  if (rule.labels !== undefined) {
    if (typeof rule.labels !== "object" || rule.labels === null || Array.isArray(rule.labels))
      fail(source, `${at}.labels`, "must be a mapping of label name → value.");
    for (const [key, label] of Object.entries(rule.labels)) {
      if (!NAME.test(key) || key.startsWith("__")) fail(source, `${at}.labels`, `has an invalid label name '${key}'.`);
      labels[key] = String(label);
    }
  }
  const actions = rule.actions ?? [];
  if (!Array.isArray(actions)) fail(source, `${at}.actions`, "must be a list.");
  return {
    name,
    metric: rule.metric.trim(),
    operator: match[1] as Operator,
    threshold: Number(match[2]),
    forMs,
    forText,
    severity,
    labels,
    condition,
    actions: actions.map((action, i) => parseAction(action, source, `${at}.actions[${i}]`)),
  };
}

/** Parses a rules file's text; every problem is named with its place in the file. */
export function parseAlertRules(text: string, source = "the rules file"): AlertRule[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw invalidParameter(`${source} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const rules = (document as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules) || rules.length === 0)
    throw invalidParameter(
      `${source} must hold a non-empty 'rules:' list of {name, metric, condition, for, severity, actions}.`,
    );
  const parsed = rules.map((rule, index) => parseRule(rule, source, index));
  const seen = new Set<string>();
  for (const rule of parsed) {
    if (seen.has(rule.name))
      throw invalidParameter(`${source}: two rules are named '${rule.name}'; give each its own name.`);
    seen.add(rule.name);
  }
  return parsed;
}

export function compare(value: number, operator: Operator, threshold: number): boolean {
  switch (operator) {
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "==":
      return value === threshold;
    case "!=":
      return value !== threshold;
  }
}

export type AlertState = "inactive" | "pending" | "firing";

/** A change of an alert's state, as actions receive it. */
export interface AlertEvent {
  readonly rule: AlertRule;
  readonly status: "firing" | "resolved";
  readonly value: number | undefined;
  /** When the condition first held (ISO 8601). */
  readonly since: string;
  readonly at: string;
}

export interface AlertEvaluatorOptions {
  /** Where `log` actions and action failures are written (default stderr). */
  readonly log?: (line: string) => void;
  /** Longest a webhook or command may take, in ms (default 10 s). */
  readonly actionTimeoutMs?: number;
}

export interface AlertEvaluator {
  /** Evaluates every rule on one window's metrics at `at`; resolves once the actions ran. */
  evaluate(metrics: Readonly<Record<string, number>>, at?: Date): Promise<AlertEvent[]>;
  state(name: string): AlertState;
}

async function runWebhook(url: string, event: AlertEvent, timeoutMs: number): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(eventPayload(event)),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
}

function runCommand(command: string, event: AlertEvent, timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("sh", ["-c", command], {
      stdio: ["ignore", "inherit", "inherit"],
      timeout: timeoutMs,
      env: {
        ...process.env,
        LATHE_ALERT_NAME: event.rule.name,
        LATHE_ALERT_STATUS: event.status,
        LATHE_ALERT_SEVERITY: event.rule.severity,
        LATHE_ALERT_METRIC: event.rule.metric,
        LATHE_ALERT_VALUE: event.value === undefined ? "" : String(event.value),
        LATHE_ALERT_CONDITION: event.rule.condition,
        LATHE_ALERT_SINCE: event.since,
      },
    });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(signal ? `killed by ${signal}` : `exit code ${code}`)),
    );
  });
}

/** The JSON a webhook receives. */
export function eventPayload(event: AlertEvent): Record<string, unknown> {
  return {
    status: event.status,
    alert: event.rule.name,
    severity: event.rule.severity,
    metric: event.rule.metric,
    condition: event.rule.condition,
    value: event.value ?? null,
    labels: event.rule.labels,
    since: event.since,
    at: event.at,
  };
}

/** Builds an evaluator keeping each rule's state between windows. */
export function createAlertEvaluator(rules: readonly AlertRule[], options: AlertEvaluatorOptions = {}): AlertEvaluator {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const timeoutMs = options.actionTimeoutMs ?? 10_000;
  const states = new Map<string, { state: AlertState; since: number }>(
    rules.map((rule) => [rule.name, { state: "inactive" as AlertState, since: 0 }]),
  );

  async function act(event: AlertEvent): Promise<void> {
    await Promise.all(
      event.rule.actions.map(async (action) => {
        try {
          if ("log" in action)
            log(
              `alert ${event.rule.name} ${event.status} (${event.rule.severity}): ${event.rule.metric} = ${event.value ?? "n/a"}, condition ${event.rule.condition}`,
            );
          else if ("webhook" in action) await runWebhook(action.webhook, event, timeoutMs);
          else await runCommand(action.command, event, timeoutMs);
        } catch (error) {
          const what =
            "webhook" in action
              ? `webhook ${action.webhook}`
              : `command '${"command" in action ? action.command : ""}'`;
          log(`alert ${event.rule.name}: the ${what} failed: ${(error as Error).message}`);
        }
      }),
    );
  }

  return {
    state: (name) => states.get(name)?.state ?? "inactive",
    async evaluate(metrics, at = new Date()) {
      const events: AlertEvent[] = [];
      const now = at.getTime();
      for (const rule of rules) {
        const entry = states.get(rule.name)!;
        const value = metrics[rule.metric];
        const holds = value !== undefined && compare(value, rule.operator, rule.threshold);
        if (holds) {
          if (entry.state === "inactive") {
            entry.state = "pending";
            entry.since = now;
          }
          if (entry.state === "pending" && now - entry.since >= rule.forMs) {
            entry.state = "firing";
            events.push({
              rule,
              status: "firing",
              value,
              since: new Date(entry.since).toISOString(),
              at: at.toISOString(),
            });
          }
        } else {
          if (entry.state === "firing")
            events.push({
              rule,
              status: "resolved",
              value,
              since: new Date(entry.since).toISOString(),
              at: at.toISOString(),
            });
          entry.state = "inactive";
        }
      }
      await Promise.all(events.map(act));
      return events;
    },
  };
}
