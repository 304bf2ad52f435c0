/**
 * @module core/config
 * Settings resolved in one order everywhere: command-line flags, then environment variables, then
 * the config file (`lathe.yaml` in the working folder, or the file LATHE_CONFIG names), then
 * defaults. Each setting is declared once with its environment name and a parser that turns text
 * into a typed value or a LatheError naming the setting and the fix.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { LatheError } from "./errors.js";

export interface SettingSpec<T> {
  /** Environment variables consulted, first match wins. */
  readonly env: readonly string[];
  /** Key in the config file's section. */
  readonly key: string;
  readonly defaultValue: T;
  /** Turns a flag, environment or file value into T; throws LatheError on bad input. */
  readonly parse: (raw: unknown, source: string) => T;
}

export type SettingsSpec<T> = { readonly [K in keyof T]: SettingSpec<T[K]> };

export type ConfigFile = Record<string, Record<string, unknown>>;

/** Reads the config file, or returns an empty one when there is none. */
export function loadConfigFile(cwd: string = process.cwd(), env = process.env): ConfigFile {
  const explicit = env.LATHE_CONFIG;
  const path = explicit ? resolve(cwd, explicit) : resolve(cwd, "lathe.yaml");
  if (!existsSync(path)) {
    if (explicit) {
      throw new LatheError(
        "CONFIG_INVALID",
        `LATHE_CONFIG points to ${path}, which does not exist. Create it or unset LATHE_CONFIG.`,
      );
    }
    return {};
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    throw new LatheError("CONFIG_INVALID", `${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new LatheError(
      "CONFIG_INVALID",
      `${path} must hold a mapping of sections (for example "server:"), not ${Array.isArray(parsed) ? "a list" : typeof parsed}.`,
    );
  }
  return parsed as ConfigFile;
}

/**
 * Resolves every setting of `spec`: flags > env > file section > default.
 * `flags` holds only the flags the user actually gave (undefined means not given).
 */
export function resolveSettings<T>(
  spec: SettingsSpec<T>,
  flags: { [K in keyof T]?: unknown },
  options: { section: string; file?: ConfigFile; env?: NodeJS.ProcessEnv },
): T {
  const env = options.env ?? process.env;
  const fileSection = options.file?.[options.section] ?? {};
  const result = {} as T;
  for (const name of Object.keys(spec) as (keyof T)[]) {
    const setting = spec[name];
    const flag = flags[name];
    if (flag !== undefined) {
      result[name] = setting.parse(flag, `flag --${String(name)}`);
      continue;
    }
    const envName = setting.env.find((candidate) => env[candidate] !== undefined && env[candidate] !== "");
    if (envName) {
      result[name] = setting.parse(env[envName], `environment variable ${envName}`);
      continue;
    }
    if (setting.key in fileSection) {
      result[name] = setting.parse(fileSection[setting.key], `config file key ${options.section}.${setting.key}`);
      continue;
    }
    result[name] = setting.defaultValue;
  }
  return result;
}

export function parseString(raw: unknown, source: string): string {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  throw new LatheError("CONFIG_INVALID", `${source} must be a string.`);
}

export function parseInteger(min: number, max: number): (raw: unknown, source: string) => number {
  return (raw, source) => {
    const value = typeof raw === "number" ? raw : Number(String(raw).trim());
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new LatheError(
        "CONFIG_INVALID",
        `${source} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}.`,
      );
    }
    return value;
  };
}

export function parseBoolean(raw: unknown, source: string): boolean {
  if (typeof raw === "boolean") return raw;
  const text = String(raw).trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(text)) return true;
  if (["0", "false", "no", "off"].includes(text)) return false;
  throw new LatheError("CONFIG_INVALID", `${source} must be true or false, got ${JSON.stringify(raw)}.`);
}

/** Byte sizes as a number or with a unit: "16MB", "512KiB", "1048576". */
export function parseByteSize(raw: unknown, source: string): number {
  const text = String(raw).trim();
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?$/i.exec(text);
  if (!match) {
    throw new LatheError(
      "CONFIG_INVALID",
      `${source} must be a size such as 16MB or 1048576, got ${JSON.stringify(raw)}.`,
    );
  }
  const unit = (match[2] ?? "b").toLowerCase().replace(/i?b$/, "");
  const factor = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1;
  return Math.floor(Number(match[1]) * factor);
}
