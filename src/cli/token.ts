/**
 * @module cli/token
 * `lathe token create|list|revoke` (access tokens of a server started with --auth) and `lathe audit`
 * (its audit log, for admins). Credentials come from MLFLOW_TRACKING_USERNAME and
 * MLFLOW_TRACKING_PASSWORD, as for every client command; a token is created with them and shown once.
 */
import type { Command } from "commander";
import type { RestClient } from "../client/rest.js";
import { invalidParameter } from "../core/errors.js";
import { type ClientFlags, withClientFlags } from "./common.js";
import { type Column, formatTime, printResult, wantsJson } from "./output.js";

interface TokenJson {
  token_id: string;
  name: string;
  username: string;
  creation_time: number;
  expiration_time?: number;
  revoked_time?: number;
}

interface AuditEventJson {
  event_id: number;
  timestamp: number;
  username?: string;
  method: string;
  path: string;
  target?: string;
  remote_address: string;
  status: number;
}

const TOKEN_COLUMNS: Column<TokenJson>[] = [
  { header: "ID", value: (token) => token.token_id },
  { header: "NAME", value: (token) => token.name },
  { header: "USER", value: (token) => token.username },
  { header: "CREATED", value: (token) => formatTime(token.creation_time) },
  { header: "EXPIRES", value: (token) => (token.expiration_time ? formatTime(token.expiration_time) : "never") },
  { header: "REVOKED", value: (token) => formatTime(token.revoked_time) },
];

const AUDIT_COLUMNS: Column<AuditEventJson>[] = [
  { header: "TIME", value: (event) => formatTime(event.timestamp) },
  { header: "USER", value: (event) => event.username ?? "-" },
  { header: "FROM", value: (event) => event.remote_address },
  { header: "REQUEST", value: (event) => `${event.method} ${event.path}` },
  { header: "TARGET", value: (event) => event.target },
  { header: "STATUS", value: (event) => event.status },
];

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `--expires` as seconds: `30d`, `12h`, `90m`, `3600s`, `2w`, or `never` (undefined). */
export function parseExpiry(value: string): number | undefined {
  if (value === "never") return undefined;
  const match = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (!match) {
    throw invalidParameter(
      `Invalid --expires '${value}': give a number and a unit (s, m, h, d, w), e.g. 30d, or 'never'.`,
    );
  }
  return Number(match[1]) * UNITS[match[2]!]!;
}

async function createRest(flags: ClientFlags): Promise<RestClient> {
  const { RestClient } = await import("../client/rest.js");
  return new RestClient({ trackingUri: flags.trackingUri });
}

export function registerTokenCommands(program: Command): void {
  const token = program
    .command("token")
    .description(
      "Create, list and revoke access tokens of a server started with --auth (use one as MLFLOW_TRACKING_TOKEN).",
    );

  withClientFlags(token.command("create"))
    .description(
      "Create an access token; the secret is printed once and never stored. Needs MLFLOW_TRACKING_USERNAME/PASSWORD.",
    )
    .option("--name <name>", "what the token is for", "default")
    .option("--expires <duration>", "lifetime such as 30d, 12h or never", "90d")
    .option("--user <username>", "create it for another user (admins only)")
    .action(async (flags: ClientFlags & { name: string; expires: string; user?: string }) => {
      const seconds = parseExpiry(flags.expires);
      const rest = await createRest(flags);
      const answer = await rest.call("POST", "/api/2.0/lathe/tokens/create", {
        name: flags.name,
        ...(seconds !== undefined ? { expires_in_seconds: seconds } : {}),
        ...(flags.user ? { username: flags.user } : {}),
      });
      if (wantsJson(flags)) {
        process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
        return;
      }
      const created = answer.token as TokenJson;
      process.stdout.write(
        `Token '${created.name}' (${created.token_id}) for ${created.username}, expires ${created.expiration_time ? formatTime(created.expiration_time) : "never"}.\n` +
          `Secret (shown only now; store it safely):\n\n  ${String(answer.secret)}\n\n` +
          "Use it with MLflow clients and Lathe as MLFLOW_TRACKING_TOKEN.\n",
      );
    });

  withClientFlags(token.command("list"))
    .description("List your access tokens (or another user's, for admins).")
    .option("--user <username>", "list another user's tokens (admins only)")
    .action(async (flags: ClientFlags & { user?: string }) => {
      const rest = await createRest(flags);
      const answer = await rest.call("GET", "/api/2.0/lathe/tokens/list", flags.user ? { username: flags.user } : {});
      const tokens = (answer.tokens as TokenJson[] | undefined) ?? [];
      printResult(flags, tokens, tokens, TOKEN_COLUMNS);
    });

  withClientFlags(token.command("revoke <id>"))
    .description("Revoke an access token by id; it stops working within seconds on every server replica.")
    .action(async (id: string, flags: ClientFlags) => {
      const rest = await createRest(flags);
      await rest.call("POST", "/api/2.0/lathe/tokens/revoke", { token_id: id });
      printResult(flags, { token_id: id, revoked: true }, [{ id }], [{ header: "REVOKED", value: (row) => row.id }]);
    });
}

export function registerAuditCommand(program: Command): void {
  withClientFlags(program.command("audit"))
    .description("Show the audit log of a server started with --auth, newest first (admins only).")
    .option("--max-results <n>", "events per page (1 to 1000)", "50")
    .option("--page-token <token>", "continue from a previous page's next_page_token")
    .action(async (flags: ClientFlags & { maxResults: string; pageToken?: string }) => {
      const rest = await createRest(flags);
      const answer = await rest.call("GET", "/api/2.0/lathe/audit-log", {
        max_results: flags.maxResults,
        ...(flags.pageToken ? { page_token: flags.pageToken } : {}),
      });
      const events = (answer.events as AuditEventJson[] | undefined) ?? [];
      printResult(flags, answer, events, AUDIT_COLUMNS);
      if (!wantsJson(flags) && answer.next_page_token) {
        process.stdout.write(`More: lathe audit --page-token ${String(answer.next_page_token)}\n`);
      }
    });
}
