/**
 * @module auth/routes
 * MLflow's auth REST API (users and experiment / registered model permissions, with MLflow's
 * methods, field names and answers, so `mlflow.server.get_app_client("basic-auth")` works) and
 * Lathe's own: access tokens and the audit log. Who may call each is in rules.ts; the handlers
 * only add the checks that depend on the row acted on (a token's owner).
 */
import { invalidParameter, notFound } from "../core/errors.js";
import type { RequestParams } from "../server/params.js";
import type { Principal } from "./credentials.js";
import { permissionDenied } from "./guard.js";
import { hashPassword, newTokenSecret, sha256, validatePassword } from "./password.js";
import { canonicalExperimentId, parsePermission } from "./permissions.js";
import type { AccessToken, AuthStore, AuthUser, ResourceKind } from "./store.js";

export interface AuthRoute {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Under `/api/2.0/mlflow/` (and `/ajax-api/2.0/mlflow/`) or, for Lathe's, `/api/2.0/lathe/`. */
  readonly path: string;
  readonly lathe?: boolean;
  readonly handle: (params: RequestParams, caller: Principal) => Promise<Record<string, unknown>>;
}

/** The longest token lifetime accepted: ten years. */
const MAX_TOKEN_SECONDS = 10 * 365 * 24 * 3600;

export function validateUsername(username: string | undefined): string {
  if (!username) throw invalidParameter("Missing value for required parameter 'username'.");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (username.length > 256 || /[\u0000-\u001f\u007f:]/.test(username) || username.trim() !== username) {
    throw invalidParameter(
      `Invalid username '${username.slice(0, 40)}': use 1 to 256 characters without ':', control characters or surrounding spaces.`,
    );
  }
  return username;
}

function requiredUsername(params: RequestParams): string {
  return validateUsername(params.optionalString("username"));
}

async function userJson(auth: AuthStore, user: AuthUser): Promise<Record<string, unknown>> {
  const experiments = await auth.listPermissions("experiment", user.id);
  const models = await auth.listPermissions("registered_model", user.id);
  return {
    id: user.id,
    username: user.username,
    is_admin: user.isAdmin,
    experiment_permissions: [...experiments].map(([experimentId, permission]) => ({
      experiment_id: experimentId,
      user_id: user.id,
      permission,
    })),
    registered_model_permissions: [...models].map(([name, permission]) => ({ name, user_id: user.id, permission })),
  };
}

export function tokenJson(token: AccessToken): Record<string, unknown> {
  const json: Record<string, unknown> = {
    token_id: token.id,
    name: token.name,
    username: token.username,
    creation_time: token.creationTime,
  };
  if (token.expirationTime !== null) json.expiration_time = token.expirationTime;
  if (token.revokedTime !== null) json.revoked_time = token.revokedTime;
  return json;
}

function readBoolean(params: RequestParams, name: string): boolean {
  const value = params.optionalBoolean(name);
  if (value === undefined) throw invalidParameter(`Missing value for required parameter '${name}'.`);
  return value;
}

/** The permission CRUD of one resource kind, as MLflow names its routes, fields and answers. */
function permissionRoutes(auth: AuthStore, kind: ResourceKind): AuthRoute[] {
  const base = kind === "experiment" ? "experiments/permissions" : "registered-models/permissions";
  const field = kind === "experiment" ? "experiment_id" : "name";
  const answerKey = kind === "experiment" ? "experiment_permission" : "registered_model_permission";
  const resourceOf = (params: RequestParams) => {
    const value = params.optionalString(field);
    if (!value) throw invalidParameter(`Missing value for required parameter '${field}'.`);
    return kind === "experiment" ? canonicalExperimentId(value) : value;
  };
  const permissionOf = (params: RequestParams) => {
    const value = params.optionalString("permission");
    if (!value) throw invalidParameter("Missing value for required parameter 'permission'.");
    return parsePermission(value);
  };
  const answer = (resource: string, userId: number, permission: string) => ({
    [answerKey]: { [field]: resource, user_id: userId, permission },
  });
  return [
    {
      method: "POST",
      path: `${base}/create`,
      async handle(params) {
        const resource = resourceOf(params);
        const user = await auth.getUser(requiredUsername(params));
        const permission = permissionOf(params);
        await auth.createPermission(kind, resource, user.id, permission);
        return answer(resource, user.id, permission);
      },
    },
    {
      method: "GET",
      path: `${base}/get`,
      async handle(params) {
        const resource = resourceOf(params);
        const user = await auth.getUser(requiredUsername(params));
        const permission = await auth.findPermission(kind, resource, user.id);
        if (permission === undefined) {
          throw notFound(
            `${kind === "experiment" ? "Experiment" : "Registered model"} permission with ${field}=${resource} and username=${user.username} not found. The server's default permission applies.`,
          );
        }
        return answer(resource, user.id, permission);
      },
    },
    {
      method: "PATCH",
      path: `${base}/update`,
      async handle(params) {
        const resource = resourceOf(params);
        const user = await auth.getUser(requiredUsername(params));
        await auth.updatePermission(kind, resource, user.id, permissionOf(params));
        return {};
      },
    },
    {
      method: "DELETE",
      path: `${base}/delete`,
      async handle(params) {
        const resource = resourceOf(params);
        const user = await auth.getUser(requiredUsername(params));
        await auth.deletePermission(kind, resource, user.id);
        return {};
      },
    },
  ];
}

/** Parses a token lifetime in seconds (`expires_in_seconds`); absent means it never expires. */
function tokenLifetime(params: RequestParams): number | undefined {
  const seconds = params.optionalInteger("expires_in_seconds");
  if (seconds === undefined) return undefined;
  if (seconds < 1 || seconds > MAX_TOKEN_SECONDS) {
    throw invalidParameter(
      `Invalid expires_in_seconds ${seconds}: give a lifetime from 1 second to ${MAX_TOKEN_SECONDS} (ten years), or leave it out for a token that does not expire.`,
    );
  }
  return seconds;
}

/**
 * The routes; `forget` drops a user's cached credentials in this process after a change that must
 * end their old sessions (password, admin flag, deletion, a revoked token).
 */
export function authRoutes(auth: AuthStore, forget: (userId: number) => void): AuthRoute[] {
  const tokenOwner = async (params: RequestParams, caller: Principal): Promise<AuthUser> => {
    const username = params.optionalString("username");
    if (!username || username === caller.username) return caller;
    if (!caller.isAdmin) {
      throw permissionDenied(`Permission denied: only admins may manage tokens of another user ('${username}').`);
    }
    return auth.getUser(username);
  };
  return [
    {
      method: "POST",
      path: "users/create",
      async handle(params) {
        const username = requiredUsername(params);
        const password = validatePassword(params.optionalString("password") ?? "");
        const user = await auth.createUser(username, await hashPassword(password), false);
        return { user: await userJson(auth, user) };
      },
    },
    {
      method: "GET",
      path: "users/get",
      async handle(params) {
        return { user: await userJson(auth, await auth.getUser(requiredUsername(params))) };
      },
    },
    {
      method: "PATCH",
      path: "users/update-password",
      async handle(params, caller) {
        const username = requiredUsername(params);
        // A stolen token must not become the account: only a password (or an admin) changes one.
        if (caller.via !== "basic" && !caller.isAdmin) {
          throw permissionDenied(
            "Permission denied: change your password with your current password (HTTP Basic), not a token.",
          );
        }
        const password = validatePassword(params.optionalString("password") ?? "");
        await auth.updatePassword(username, await hashPassword(password));
        forget((await auth.getUser(username)).id);
        return {};
      },
    },
    {
      method: "PATCH",
      path: "users/update-admin",
      async handle(params, caller) {
        const username = requiredUsername(params);
        const isAdmin = readBoolean(params, "is_admin");
        if (!isAdmin && username === caller.username) {
          throw invalidParameter(
            "An admin cannot remove their own admin flag; have another admin do it, so the server always keeps one.",
          );
        }
        await auth.updateAdmin(username, isAdmin);
        forget((await auth.getUser(username)).id);
        return {};
      },
    },
    {
      method: "DELETE",
      path: "users/delete",
      async handle(params, caller) {
        const username = requiredUsername(params);
        if (username === caller.username) {
          throw invalidParameter("An admin cannot delete their own user; have another admin do it.");
        }
        const user = await auth.getUser(username);
        await auth.deleteUser(username);
        forget(user.id);
        return {};
      },
    },
    ...permissionRoutes(auth, "experiment"),
    ...permissionRoutes(auth, "registered_model"),
    {
      method: "POST",
      path: "tokens/create",
      lathe: true,
      async handle(params, caller) {
        if (caller.via !== "basic" && !caller.isAdmin) {
          throw permissionDenied(
            "Permission denied: create access tokens with your username and password (HTTP Basic), not with another token.",
          );
        }
        const owner = await tokenOwner(params, caller);
        const name = params.optionalString("name") || "default";
        if (name.length > 256) throw invalidParameter("Token name too long: use at most 256 characters.");
        const lifetime = tokenLifetime(params);
        const secret = newTokenSecret();
        const now = Date.now();
        const token = await auth.createToken({
          userId: owner.id,
          name,
          secretHash: sha256(secret),
          creationTime: now,
          expirationTime: lifetime === undefined ? null : now + lifetime * 1000,
        });
        return { token: tokenJson(token), secret };
      },
    },
    {
      method: "GET",
      path: "tokens/list",
      lathe: true,
      async handle(params, caller) {
        const owner = await tokenOwner(params, caller);
        const tokens = await auth.listTokens(owner.id);
        return tokens.length > 0 ? { tokens: tokens.map(tokenJson) } : {};
      },
    },
    {
      method: "POST",
      path: "tokens/revoke",
      lathe: true,
      async handle(params, caller) {
        const id = params.requiredString("token_id");
        const token = await auth.findToken(id);
        // Someone else's token answers like a missing one, so ids cannot be probed.
        if (!token || (token.userId !== caller.id && !caller.isAdmin)) {
          throw notFound(`Access token '${id.slice(0, 40)}' not found. List yours with \`lathe token list\`.`);
        }
        await auth.revokeToken(id, Date.now());
        forget(token.userId);
        return {};
      },
    },
    {
      method: "GET",
      path: "audit-log",
      lathe: true,
      async handle(params) {
        const maxResults = params.optionalInteger("max_results") ?? 100;
        if (maxResults < 1 || maxResults > 1000) {
          throw invalidParameter(`Invalid max_results ${maxResults}: use 1 to 1000.`);
        }
        const pageToken = params.optionalString("page_token");
        let before: number | undefined;
        if (pageToken) {
          before = Number(pageToken);
          if (!Number.isSafeInteger(before) || before < 1) {
            throw invalidParameter(
              `Invalid page token '${pageToken.slice(0, 40)}': pass the next_page_token of a previous answer unchanged.`,
            );
          }
        }
        const events = await auth.listAudit(maxResults, before);
        const result: Record<string, unknown> = {};
        if (events.length > 0) {
          result.events = events.map((event) => ({
            event_id: event.id,
            timestamp: event.timestamp,
            ...(event.username !== null ? { username: event.username } : {}),
            method: event.method,
            path: event.path,
            ...(event.target !== null ? { target: event.target } : {}),
            remote_address: event.remoteAddress,
            status: event.status,
          }));
        }
        if (events.length === maxResults) result.next_page_token = String(events.at(-1)!.id);
        return result;
      },
    },
  ];
}
