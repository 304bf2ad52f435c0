/**
 * Unit tests of the registry's input rules: model names, version numbers, stages in any case,
 * alias names (MLflow's reserved `latest` and `v<digits>`), and tag limits.
 */
import { describe, expect, it } from "vitest";
import { LatheError } from "../core/errors.js";
import { canonicalStage, parseVersion, validateAlias, validateModelName, validateRegistryTag } from "./validation.js";

function invalid(check: () => unknown): string {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(LatheError);
    expect((error as LatheError).code).toBe("INVALID_PARAMETER_VALUE");
    return (error as LatheError).message;
  }
  throw new Error("expected a failure");
}

describe("validateModelName", () => {
  it("accepts ordinary names", () => {
    for (const name of ["iris", "Iris Classifier", "team.model-v2", "a/b", "模型"])
      expect(validateModelName(name)).toBe(name);
  });

  it("refuses empty, over-long, %-encoded look-alikes and control characters", () => {
    expect(invalid(() => validateModelName(""))).toMatch(/cannot be empty/);
    expect(invalid(() => validateModelName(undefined))).toMatch(/cannot be empty/);
    expect(invalid(() => validateModelName("x".repeat(257)))).toMatch(/exceeded length limit of 256/);
    expect(invalid(() => validateModelName("m%6fdel"))).toMatch(/may not contain '%'/);
    expect(invalid(() => validateModelName("a\u0000b"))).toMatch(/control characters/);
  });
});

describe("parseVersion", () => {
  it("reads what Python's int() reads", () => {
    expect(parseVersion("3")).toBe(3);
    expect(parseVersion(" 12 ")).toBe(12);
    expect(parseVersion("007")).toBe(7);
    expect(parseVersion(4)).toBe(4);
  });

  it.each(["", "1.5", "one", "1e3", "9".repeat(20)])("refuses %j", (text) => {
    expect(invalid(() => parseVersion(text))).toMatch(/^Model version must be an integer, got/);
  });
});

describe("canonicalStage", () => {
  it("matches stages in any case", () => {
    expect(canonicalStage("production")).toBe("Production");
    expect(canonicalStage("STAGING")).toBe("Staging");
    expect(canonicalStage("none")).toBe("None");
    expect(canonicalStage("archived")).toBe("Archived");
  });

  it("refuses other names and lists the valid ones", () => {
    expect(invalid(() => canonicalStage("Deleted_Internal"))).toBe(
      "Invalid Model Version stage: Deleted_Internal. Value must be one of None, Staging, Production, Archived.",
    );
  });
});

describe("validateAlias", () => {
  it("accepts letters, digits, '_' and '-'", () => {
    for (const alias of ["champion", "challenger-2", "prod_eu", "v", "V1a", "version1", "x".repeat(255)]) {
      expect(validateAlias(alias)).toBe(alias);
    }
  });

  it.each(["latest", "LATEST", "Latest"])("refuses the reserved %j", (alias) => {
    expect(invalid(() => validateAlias(alias))).toMatch(/'latest' alias name \(case insensitive\) is reserved/);
  });

  it.each(["v1", "V12", "v0"])("refuses the version form %j", (alias) => {
    expect(invalid(() => validateAlias(alias))).toMatch(/^Version alias name '.*' is reserved/);
  });

  it("refuses empty, bad characters and over-long names", () => {
    expect(invalid(() => validateAlias(""))).toMatch(/cannot be empty/);
    expect(invalid(() => validateAlias("a b"))).toMatch(/^Invalid alias name: 'a b'/);
    expect(invalid(() => validateAlias("a@b"))).toMatch(/^Invalid alias name/);
    expect(invalid(() => validateAlias("x".repeat(256)))).toMatch(/exceeded length limit of 255/);
  });
});

describe("validateRegistryTag", () => {
  it("applies MLflow's key rules and the 5000-character value limit", () => {
    expect(validateRegistryTag({ key: "owner", value: "x".repeat(5000) }, "Model version").key).toBe("owner");
    expect(invalid(() => validateRegistryTag({ key: "a", value: "x".repeat(5001) }, "Model version"))).toMatch(
      /Model version tag value .* exceeded length limit of 5000/,
    );
    expect(invalid(() => validateRegistryTag({ key: "../x", value: "" }, "Registered model"))).toMatch(
      /Invalid tag name/,
    );
    expect(invalid(() => validateRegistryTag({ key: "k".repeat(251), value: "" }, "Registered model"))).toMatch(
      /exceeded length limit of 250/,
    );
  });
});
