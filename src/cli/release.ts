/**
 * @module cli/release
 * `lathe release env set|list`, `create`, `approve`, `list` and `show`: deploy a model version to an
 * environment with a smoke test, approve it on to production, and read the history.
 */
import type { Command } from "commander";
import { LatheError } from "../core/errors.js";
import type { Environment, Release, SmokeReport, SmokeResult } from "../release/index.js";
import { type ClientFlags, createClient, withClientFlags } from "./common.js";
import { type Column, formatTime, printResult, renderTable, wantsJson } from "./output.js";

const DEFAULT_TIMEOUT = "60s";

const ENVIRONMENT_COLUMNS: Column<Environment>[] = [
  { header: "NAME", value: (environment) => environment.name },
  { header: "ALIAS", value: (environment) => environment.alias },
  { header: "ENDPOINT", value: (environment) => environment.endpoint ?? "—" },
];

const RELEASE_COLUMNS: Column<Release>[] = [
  { header: "ID", value: (release) => release.id },
  { header: "MODEL", value: (release) => release.model },
  { header: "VERSION", value: (release) => release.version },
  { header: "ENV", value: (release) => release.env },
  { header: "STATUS", value: (release) => release.status },
  { header: "SMOKE", value: (release) => (release.smoke ? `${release.smoke.passed}/${release.smoke.total}` : "—") },
  { header: "CREATED BY", value: (release) => release.createdBy },
  {
    header: "APPROVED BY → ENV",
    value: (release) => release.approvals.map((approval) => `${approval.approver} → ${approval.env}`).join(", ") || "—",
  },
  { header: "WHEN", value: (release) => formatTime(release.createdAt) },
];

const RESULT_COLUMNS: Column<SmokeResult>[] = [
  { header: "REQUEST", value: (result) => result.name },
  { header: "PATH", value: (result) => result.path },
  { header: "STATUS", value: (result) => result.status ?? "—" },
  { header: "RESULT", value: (result) => (result.passed ? "pass" : "FAIL") },
  { header: "REASON", value: (result) => result.reason ?? "" },
];

function compact(value: unknown, limit = 400): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** Each failing request with its body, what was expected and what came back. */
function describeFailures(report: SmokeReport): string {
  return report.results
    .filter((result) => !result.passed)
    .map((result) => {
      const { status, tolerance, ...checks } = result.expected;
      const expected = `${Object.keys(checks).length > 0 ? `${compact(checks)} ` : ""}(status ${status}${tolerance > 0 ? `, tolerance ${tolerance}` : ""})`;
      return [
        `  ✗ ${result.name}: ${result.reason ?? "failed"}`,
        `      request:  POST ${result.path} ${compact(result.request)}`,
        `      expected: ${expected}`,
        `      got:      ${result.status ?? "no answer"} ${compact(result.got)}`,
      ].join("\n");
    })
    .join("\n");
}

/** A release and its smoke table; `details` adds each failing request's body, expectation and answer. */
function printReport(release: Release, report: SmokeReport | undefined, details: boolean): void {
  const where = release.endpoint ? ` (${release.endpoint})` : "";
  process.stdout.write(
    `Release ${release.id}: ${release.model} version ${release.version} → ${release.env}${where}, ${release.status}\n`,
  );
  if (release.error) process.stdout.write(`  ${release.error}\n`);
  for (const approval of release.approvals) {
    process.stdout.write(
      `  approved to ${approval.env} by ${approval.approver} at ${approval.at} (${approval.alias}: ${approval.from ?? "none"} → ${approval.to})\n`,
    );
  }
  if (!report) return;
  process.stdout.write(`Smoke test (${report.file}): ${report.passed}/${report.total} passed\n`);
  process.stdout.write(`${renderTable(report.results, RESULT_COLUMNS, 60)}\n`);
  if (details && report.failed > 0) process.stdout.write(`Failing requests:\n${describeFailures(report)}\n`);
}

interface CreateFlags extends ClientFlags {
  env: string;
  smoke: string;
  timeout: string;
  user?: string;
}

interface ApproveFlags extends ClientFlags {
  env: string;
  approver?: string;
  timeout: string;
}

export function registerReleaseCommands(program: Command): void {
  const release = program
    .command("release")
    .description("Deploy a model version to an environment with a smoke test, approve it to production.");

  const environments = release.command("env").description("The environments releases go to.");
  withClientFlags(environments.command("set <name>"))
    .description("Record an environment: the model server that serves it and the registry alias it follows.")
    .option("--endpoint <url>", "base URL of the environment's model server, e.g. http://uat-model:8080")
    .option("--alias <alias>", "registry alias the environment serves (default: its name)")
    .action(async (name: string, flags: ClientFlags & { endpoint?: string; alias?: string }) => {
      const { setEnvironment } = await import("../release/index.js");
      const environment = await setEnvironment(await createClient(flags), name, flags);
      printResult(flags, environment, [environment], ENVIRONMENT_COLUMNS);
    });
  withClientFlags(environments.command("list"))
    .description("List the recorded environments.")
    .action(async (flags: ClientFlags) => {
      const { listEnvironments } = await import("../release/index.js");
      const list = await listEnvironments(await createClient(flags));
      printResult(flags, list, list, ENVIRONMENT_COLUMNS);
    });

  withClientFlags(release.command("create <model-uri>"))
    .description("Deploy models:/<name>/<version> (or @alias) to an environment, smoke-test it and record the release.")
    .requiredOption("--env <name>", "environment to deploy to, e.g. uat")
    .requiredOption("--smoke <file>", "smoke-test YAML file (see docs/deploy.md, Releases)")
    .option(
      "--timeout <duration>",
      "how long to wait for the endpoint to serve the version, and for each smoke request",
      DEFAULT_TIMEOUT,
    )
    .option("--user <name>", "who creates the release (default $LATHE_USER, else the OS user)")
    .action(async (uri: string, flags: CreateFlags) => {
      const { createRelease, currentUser, readSmokeFile } = await import("../release/index.js");
      const { parseDuration } = await import("../monitoring/duration.js");
      const timeoutMs = parseDuration(flags.timeout, "--timeout");
      const smoke = await readSmokeFile(flags.smoke);
      const created = await createRelease(await createClient(flags), {
        uri,
        env: flags.env,
        smoke,
        timeoutMs,
        user: flags.user ?? currentUser(),
      });
      if (wantsJson(flags)) process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      // A failure's details go to stderr with the error, once.
      else printReport(created.release, created.report, false);
      const { release: made, report } = created;
      if (report.failed > 0) {
        throw new LatheError(
          "INVALID_STATE",
          `The smoke test of ${made.model} version ${made.version} in ${made.env} failed: ${report.failed} of ${report.total} requests failed.\n${describeFailures(report)}\nRelease ${made.id} is recorded as failed and cannot be approved. Fix the model (or the smoke file), then create a new release.`,
        );
      }
    });

  withClientFlags(release.command("approve <id>"))
    .description("Approve a release that passed its smoke test: move the environment's alias to its version.")
    .requiredOption("--env <name>", "environment to approve it to, e.g. prod")
    .option("--approver <name>", "who approves (default $LATHE_USER, else the OS user)")
    .option(
      "--timeout <duration>",
      "how long to wait for the environment's endpoint, when it has one, to serve the version (0: do not wait)",
      DEFAULT_TIMEOUT,
    )
    .action(async (id: string, flags: ApproveFlags) => {
      const { approveRelease, currentUser } = await import("../release/index.js");
      const { parseDuration } = await import("../monitoring/duration.js");
      const approved = await approveRelease(await createClient(flags), {
        id,
        env: flags.env,
        approver: flags.approver ?? currentUser(),
        timeoutMs: parseDuration(flags.timeout, "--timeout"),
      });
      if (wantsJson(flags)) {
        process.stdout.write(`${JSON.stringify(approved, null, 2)}\n`);
        return;
      }
      const { release: done, approval } = approved;
      process.stdout.write(
        `Approved release ${done.id} to ${approval.env} by ${approval.approver}: ${done.model} alias '${approval.alias}' moved from ${approval.from === undefined ? "no version" : `version ${approval.from}`} to version ${approval.to}.\n`,
      );
      if (approved.served) process.stdout.write(`The ${approval.env} endpoint now serves version ${approval.to}.\n`);
    });

  withClientFlags(release.command("list"))
    .description("The release history, newest first.")
    .option("--model <name>", "only this model's releases")
    .option("--env <name>", "only releases created in, or approved to, this environment")
    .action(async (flags: ClientFlags & { model?: string; env?: string }) => {
      const { listReleases } = await import("../release/index.js");
      const list = await listReleases(await createClient(flags), { model: flags.model, env: flags.env });
      printResult(flags, list, list, RELEASE_COLUMNS);
    });

  withClientFlags(release.command("show <id>"))
    .description("A release with its smoke report: every request, what was expected and what came back.")
    .action(async (id: string, flags: ClientFlags) => {
      const { readReport } = await import("../release/index.js");
      const shown = await readReport(await createClient(flags), id);
      if (wantsJson(flags)) process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      else printReport(shown.release, shown.report, true);
    });
}
