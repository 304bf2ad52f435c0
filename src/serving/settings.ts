/**
 * @module serving/settings
 * `lathe serve` settings: each flag is also an environment variable (`LATHE_SERVE_*`) and a key of
 * the `serve:` section in lathe.yaml; the tracking server falls back to MLFLOW_TRACKING_URI.
 */
import {
  type ConfigFile,
  parseByteSize,
  parseInteger,
  parseString,
  resolveSettings,
  type SettingsSpec,
} from "../core/config.js";
import { LatheError } from "../core/errors.js";
import { DEFAULT_SERVE_SETTINGS as D, type ServeSettings } from "./start.js";

type Resolved = Omit<ServeSettings, "source">;

const optionalString = (raw: unknown, source: string): string | undefined => parseString(raw, source) || undefined;

function parseNumber(min: number, max: number): (raw: unknown, source: string) => number {
  return (raw, source) => {
    const value = typeof raw === "number" ? raw : Number(String(raw).trim());
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new LatheError(
        "CONFIG_INVALID",
        `${source} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}.`,
      );
    }
    return value;
  };
}

const SERVE_SETTINGS: SettingsSpec<Resolved> = {
  host: { env: ["LATHE_SERVE_HOST"], key: "host", defaultValue: D.host, parse: parseString },
  port: { env: ["LATHE_SERVE_PORT"], key: "port", defaultValue: D.port, parse: parseInteger(0, 65535) },
  workers: { env: ["LATHE_SERVE_WORKERS"], key: "workers", defaultValue: D.workers, parse: parseInteger(1, 64) },
  trackingUri: {
    env: ["LATHE_TRACKING_URI", "MLFLOW_TRACKING_URI"],
    key: "tracking_uri",
    defaultValue: "http://127.0.0.1:5000",
    parse: parseString,
  },
  batchWindowMs: {
    env: ["LATHE_SERVE_BATCH_WINDOW_MS"],
    key: "batch_window_ms",
    defaultValue: D.batchWindowMs,
    parse: parseNumber(0, 1000),
  },
  maxBatchSize: {
    env: ["LATHE_SERVE_MAX_BATCH_SIZE"],
    key: "max_batch_size",
    defaultValue: D.maxBatchSize,
    parse: parseInteger(1, 1_000_000),
  },
  logDir: { env: ["LATHE_SERVE_LOG_DIR"], key: "log_dir", defaultValue: D.logDir, parse: optionalString },
  logMaxFileBytes: {
    env: ["LATHE_SERVE_LOG_MAX_FILE_BYTES"],
    key: "log_max_file_bytes",
    defaultValue: D.logMaxFileBytes,
    parse: parseByteSize,
  },
  logBufferRecords: {
    env: ["LATHE_SERVE_LOG_BUFFER_RECORDS"],
    key: "log_buffer_records",
    defaultValue: D.logBufferRecords,
    parse: parseInteger(1, 10_000_000),
  },
  pollSeconds: {
    env: ["LATHE_SERVE_POLL_SECONDS"],
    key: "poll_seconds",
    defaultValue: D.pollSeconds,
    parse: parseNumber(0, 86_400),
  },
  name: { env: ["LATHE_SERVE_NAME"], key: "name", defaultValue: undefined, parse: optionalString },
  maxRequestBytes: {
    env: ["LATHE_SERVE_MAX_REQUEST_BYTES"],
    key: "max_request_bytes",
    defaultValue: D.maxRequestBytes,
    parse: parseByteSize,
  },
};

/** Resolves `lathe serve` settings: flags > environment > lathe.yaml `serve:` > defaults. */
export function resolveServeSettings(
  source: string,
  flags: Partial<Record<keyof Resolved, unknown>>,
  file: ConfigFile,
  env = process.env,
): ServeSettings {
  return { source, ...resolveSettings(SERVE_SETTINGS, flags, { section: "serve", file, env }) };
}
