/**
 * @module server/settings
 * `lathe server` settings: MLflow's flag names and defaults, each also an environment variable and
 * a key of the `server:` section in lathe.yaml.
 */
import { isAbsolute, resolve } from "node:path";
import { parseAllowedOrigins } from "../auth/hardening.js";
import { type Permission, parsePermission } from "../auth/permissions.js";
import {
  type ConfigFile,
  parseBoolean,
  parseByteSize,
  parseInteger,
  parseString,
  resolveSettings,
  type SettingsSpec,
} from "../core/config.js";
import { LatheError } from "../core/errors.js";

export interface ServerSettings {
  host: string;
  port: number;
  backendStoreUri: string;
  defaultArtifactRoot: string | undefined;
  artifactsDestination: string;
  serveArtifacts: boolean;
  workers: number;
  maxRequestBytes: number;
  /** Authentication, permissions and the audit log (docs/auth.md); off by default. */
  auth?: boolean;
  /** Permission of a user on a resource they have no row for (MLflow's default_permission). */
  authDefaultPermission?: Permission;
  /** The first admin, created at start when missing. */
  authAdminUsername?: string | undefined;
  authAdminPassword?: string | undefined;
  /** Browser origins allowed to call the API (CORS); none by default. */
  corsAllowedOrigins?: string[];
  /** A DVC project folder whose `dvc.yaml` the web UI's Pipeline page shows; unset turns the page off. */
  project?: string | undefined;
}

const optionalString = (raw: unknown, source: string): string | undefined => parseString(raw, source) || undefined;

function parseDefaultPermission(raw: unknown, source: string): Permission {
  try {
    return parsePermission(parseString(raw, source), source);
  } catch (error) {
    throw new LatheError("CONFIG_INVALID", (error as Error).message);
  }
}

export const SERVER_SETTINGS: SettingsSpec<ServerSettings> = {
  host: { env: ["LATHE_HOST", "MLFLOW_HOST"], key: "host", defaultValue: "127.0.0.1", parse: parseString },
  port: { env: ["LATHE_PORT", "MLFLOW_PORT"], key: "port", defaultValue: 5000, parse: parseInteger(0, 65535) },
  backendStoreUri: {
    env: ["LATHE_BACKEND_STORE_URI", "MLFLOW_BACKEND_STORE_URI"],
    key: "backend_store_uri",
    defaultValue: "sqlite:///mlruns.db",
    parse: parseString,
  },
  defaultArtifactRoot: {
    env: ["LATHE_DEFAULT_ARTIFACT_ROOT", "MLFLOW_DEFAULT_ARTIFACT_ROOT"],
    key: "default_artifact_root",
    defaultValue: undefined,
    parse: optionalString,
  },
  artifactsDestination: {
    env: ["LATHE_ARTIFACTS_DESTINATION", "MLFLOW_ARTIFACTS_DESTINATION"],
    key: "artifacts_destination",
    defaultValue: "./mlartifacts",
    parse: parseString,
  },
  serveArtifacts: {
    env: ["LATHE_SERVE_ARTIFACTS", "MLFLOW_SERVE_ARTIFACTS"],
    key: "serve_artifacts",
    defaultValue: true,
    parse: parseBoolean,
  },
  workers: { env: ["LATHE_WORKERS", "MLFLOW_WORKERS"], key: "workers", defaultValue: 1, parse: parseInteger(1, 64) },
  maxRequestBytes: {
    env: ["LATHE_MAX_REQUEST_BYTES"],
    key: "max_request_bytes",
    defaultValue: 16 * 1024 * 1024,
    parse: parseByteSize,
  },
  auth: { env: ["LATHE_AUTH"], key: "auth", defaultValue: false, parse: parseBoolean },
  authDefaultPermission: {
    env: ["LATHE_AUTH_DEFAULT_PERMISSION"],
    key: "auth_default_permission",
    defaultValue: "READ",
    parse: parseDefaultPermission,
  },
  authAdminUsername: {
    env: ["LATHE_AUTH_ADMIN_USERNAME"],
    key: "auth_admin_username",
    defaultValue: undefined,
    parse: optionalString,
  },
  authAdminPassword: {
    env: ["LATHE_AUTH_ADMIN_PASSWORD"],
    key: "auth_admin_password",
    defaultValue: undefined,
    parse: optionalString,
  },
  corsAllowedOrigins: {
    env: ["LATHE_CORS_ALLOWED_ORIGINS"],
    key: "cors_allowed_origins",
    defaultValue: [],
    parse: parseAllowedOrigins,
  },
  project: { env: ["LATHE_PROJECT"], key: "project", defaultValue: undefined, parse: optionalString },
};

export function resolveServerSettings(
  flags: Partial<Record<keyof ServerSettings, unknown>>,
  file: ConfigFile,
  env = process.env,
): ServerSettings {
  return resolveSettings(SERVER_SETTINGS, flags, { section: "server", file, env });
}

/**
 * The root new experiments get their artifact location under. As in MLflow: given explicitly, it is
 * used as is (local paths made absolute); otherwise `mlflow-artifacts:/` when the server proxies
 * artifacts, or `./mlruns` when it does not.
 */
export function effectiveArtifactRoot(settings: ServerSettings, cwd: string = process.cwd()): string {
  const root = settings.defaultArtifactRoot ?? (settings.serveArtifacts ? "mlflow-artifacts:/" : "./mlruns");
  if (/^[a-zA-Z][\w+.-]*:/.test(root)) return root;
  return isAbsolute(root) ? root : resolve(cwd, root);
}
