import { describe, expect, it } from "vitest";
import { LatheError } from "../core/errors.js";
import { MAX_ARTIFACT_PATH_LENGTH, validateArtifactPath } from "./path-safety.js";

function refusal(path: unknown): LatheError {
  try {
    validateArtifactPath(path as string);
  } catch (error) {
    expect(error).toBeInstanceOf(LatheError);
    return error as LatheError;
  }
  throw new Error(`accepted hostile path ${JSON.stringify(path)}`);
}

/** Shapes from reference/mlflow.md §7 (Replay checklist), as they arrive after the HTTP layer's one decode. */
const HOSTILE: Record<string, string[]> = {
  "plain traversal": ["..", "../x", "a/../../b", "a/b/..", "./../x", "a//../b"],
  "encoded traversal (CVE-2023-6831)": ["..%2f..%2f", "..%2F..%2Fetc/passwd", "%2e%2e/%2e%2e/etc", "%2E%2E%2F"],
  "double and triple encoding (CVE-2023-6730, CVE-2024-1560)": ["%252e%252e%252f", "a/%252e%252e/b", "%25252e%25252e"],
  "NUL and control characters": ["%00", "a%00.txt", "a\u0000b", "a\nb", "\u001b[31m", "a\u0085b", "%0d%0a"],
  "backslashes (CVE-2023-2780)": ["\\..\\..\\", "..\\x", "a\\b", "%5c..%5c..", "%255c"],
  "path parameters (CVE-2024-1593)": [";/../", "x;/../../etc", "a;b", "%3b/.."],
  "fragments (CVE-2023-6909)": ["#/../", "a#b", "%23/../x", "%2523"],
  "query smuggling": ["?x=/../", "a?b", "%3Fx=/../"],
  "absolute POSIX (CVE-2023-3765)": ["/etc/passwd", "//etc/passwd", "%2Fetc%2Fpasswd", "/"],
  "Windows drives (CVE-2023-6753)": ["C:\\Windows", "C:/Windows", "c:", "C:", "%43:/x", "file:C:/x"],
  "file: URIs pointing outside": [
    "file:///etc/passwd",
    "file:/etc/passwd",
    "file://host/etc",
    "FILE:///etc",
    "file:../x",
  ],
  "dot runs trimmed to '..' on Windows": ["...", "....//", "a/.. /b", " ../x", "a/..."],
  "full-width look-alikes": ["\uff0e\uff0e\uff0fetc", "a/\uff0e\uff0e/b"],
  "malformed encoding": ["%", "100%", "%zz", "%E0%A4%A", "%ff", "\ud800", "a\udc00b"],
};

describe("validateArtifactPath accepts", () => {
  it.each([
    ["1/abc123/artifacts/model/MLmodel", "1/abc123/artifacts/model/MLmodel"],
    ["my model/file name.txt", "my model/file name.txt"],
    ["a..b.txt", "a..b.txt"],
    ["..foo/bar..", "..foo/bar.."],
    ["dir/.hidden", "dir/.hidden"],
    ["模型/数据 集.csv", "模型/数据 集.csv"],
    ["émoji 🚀.txt", "émoji 🚀.txt"],
    ["a//b/./c/", "a/b/c"],
    ["./model", "model"],
    ["", ""],
    [".", ""],
    ["a%20b.txt", "a%20b.txt"],
    ["file:model/MLmodel", "model/MLmodel"],
    ["~/x", "~/x"],
  ])("%j → %j", (input, expected) => {
    expect(validateArtifactPath(input)).toBe(expected);
  });

  it("is idempotent on its own output", () => {
    for (const input of ["a//b/./c/", "a%20b", "x/y.z"]) {
      const once = validateArtifactPath(input);
      expect(validateArtifactPath(once)).toBe(once);
    }
  });
});

describe("validateArtifactPath refuses", () => {
  for (const [family, shapes] of Object.entries(HOSTILE)) {
    it.each(shapes)(`${family}: %j`, (shape) => {
      const error = refusal(shape);
      expect(error.code).toBe("INVALID_PARAMETER_VALUE");
      expect(error.message).toMatch(/^Invalid path: /);
      expect(error.info.status).toBe(400);
    });
  }

  it("refuses encoding stacked deeper than any client would send", () => {
    let stacked = "..%2Fx";
    for (let i = 0; i < 12; i++) stacked = stacked.replaceAll("%", "%25");
    expect(refusal(stacked).message).toMatch(/percent-encoding/);
    // Eight layers is still fine for an innocent name.
    let eight = "a%20b";
    for (let i = 0; i < 7; i++) eight = eight.replaceAll("%", "%25");
    expect(validateArtifactPath(eight)).toBe(eight);
  });

  it("refuses over-long paths and non-strings", () => {
    expect(validateArtifactPath("a".repeat(MAX_ARTIFACT_PATH_LENGTH))).toHaveLength(MAX_ARTIFACT_PATH_LENGTH);
    expect(refusal("a".repeat(MAX_ARTIFACT_PATH_LENGTH + 1)).code).toBe("INVALID_PARAMETER_VALUE");
    expect(refusal(undefined).code).toBe("INVALID_PARAMETER_VALUE");
    expect(refusal(42).code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("does not echo the hostile input back", () => {
    expect(refusal("<script>/../").message).not.toContain("<script>");
  });
});
