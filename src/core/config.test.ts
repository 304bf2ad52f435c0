import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  loadConfigFile,
  parseByteSize,
  parseInteger,
  parseString,
  resolveSettings,
  type SettingsSpec,
} from "./config.js";
import { LatheError } from "./errors.js";

interface Example {
  port: number;
  host: string;
}

const spec: SettingsSpec<Example> = {
  port: { env: ["LATHE_PORT"], key: "port", defaultValue: 5000, parse: parseInteger(1, 65535) },
  host: { env: ["LATHE_HOST"], key: "host", defaultValue: "127.0.0.1", parse: parseString },
};

describe("resolveSettings", () => {
  const file = { server: { port: 7000, host: "0.0.0.0" } };

  it("prefers flags over env over file over defaults", () => {
    expect(resolveSettings(spec, { port: "9000" }, { section: "server", file, env: { LATHE_PORT: "8000" } })).toEqual({
      port: 9000,
      host: "0.0.0.0",
    });
    expect(resolveSettings(spec, {}, { section: "server", file, env: { LATHE_PORT: "8000" } }).port).toBe(8000);
    expect(resolveSettings(spec, {}, { section: "server", file, env: {} }).port).toBe(7000);
    expect(resolveSettings(spec, {}, { section: "server", file: {}, env: {} })).toEqual({
      port: 5000,
      host: "127.0.0.1",
    });
  });

  it("names the setting and the accepted range in a bad value's error", () => {
    expect(() => resolveSettings(spec, {}, { section: "server", env: { LATHE_PORT: "http" } })).toThrowError(
      /environment variable LATHE_PORT must be a whole number from 1 to 65535/,
    );
  });
});

describe("loadConfigFile", () => {
  it("reads lathe.yaml and refuses a file that is not a mapping", () => {
    const dir = mkdtempSync(join(tmpdir(), "lathe-config-"));
    writeFileSync(join(dir, "lathe.yaml"), "server:\n  port: 6001\n");
    expect(loadConfigFile(dir, {})).toEqual({ server: { port: 6001 } });
    writeFileSync(join(dir, "lathe.yaml"), "- a\n- b\n");
    expect(() => loadConfigFile(dir, {})).toThrowError(LatheError);
    expect(() => loadConfigFile(dir, { LATHE_CONFIG: "missing.yaml" })).toThrowError(/does not exist/);
  });
});

describe("parseByteSize", () => {
  it("accepts plain numbers and units", () => {
    expect(parseByteSize("16MB", "x")).toBe(16 * 1024 * 1024);
    expect(parseByteSize("512k", "x")).toBe(512 * 1024);
    expect(parseByteSize(100, "x")).toBe(100);
    expect(() => parseByteSize("lots", "x")).toThrowError(/must be a size/);
  });
});
