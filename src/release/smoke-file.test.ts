import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSmokeFile, readSmokeFile } from "./smoke-file.js";

const GOOD = `
requests:
  - name: setosa
    invocations:
      dataframe_split: {columns: [a, b], data: [[1, 2]]}
    expect: {predictions: [setosa]}
  - name: v2 probabilities
    v2:
      inputs: [{name: input, datatype: FP32, shape: [1, 2], data: [1, 2]}]
    expect: {outputs: {probabilities: [0.9, 0.1]}, tolerance: 0.01}
  - name: bad body
    invocations: {inputs: {}}
    expect: {status: 400}
`;

function problem(yaml: string): string {
  try {
    parseSmokeFile(yaml, "smoke.yaml");
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("the smoke file was accepted");
}

function withRequest(request: string): string {
  return `requests:\n  - ${request.trim().split("\n").join("\n    ")}\n`;
}

describe("parseSmokeFile", () => {
  it("reads requests over both protocols with their expectations and defaults", () => {
    const smoke = parseSmokeFile(GOOD, "smoke.yaml");
    expect(smoke.requests).toEqual([
      {
        name: "setosa",
        protocol: "invocations",
        body: { dataframe_split: { columns: ["a", "b"], data: [[1, 2]] } },
        expect: { status: 200, tolerance: 0, predictions: ["setosa"] },
      },
      {
        name: "v2 probabilities",
        protocol: "v2",
        body: { inputs: [{ name: "input", datatype: "FP32", shape: [1, 2], data: [1, 2] }] },
        expect: { status: 200, tolerance: 0.01, outputs: { probabilities: [0.9, 0.1] } },
      },
      { name: "bad body", protocol: "invocations", body: { inputs: {} }, expect: { status: 400, tolerance: 0 } },
    ]);
  });

  it("accepts the example in docs/deploy.md", () => {
    const page = readFileSync(join(import.meta.dirname, "../../docs/deploy.md"), "utf8");
    const example = /```yaml\n(requests:[\s\S]*?)```/.exec(page)?.[1];
    expect(example).toBeDefined();
    const smoke = parseSmokeFile(example as string, "docs/deploy.md");
    expect(smoke.requests.map((request) => [request.name, request.protocol])).toEqual([
      ["setosa", "invocations"],
      ["virginica-v2", "v2"],
      ["probabilities", "invocations"],
      ["refuses-an-empty-body", "invocations"],
    ]);
  });

  it("refuses files that are not a requests list", () => {
    expect(problem("requests: [")).toMatch(/^smoke.yaml is not valid YAML/);
    expect(problem("- name: a")).toMatch(/^smoke.yaml must hold a non-empty 'requests:' list/);
    expect(problem("requests: []")).toMatch(/non-empty 'requests:' list/);
    expect(problem(`${GOOD}\ntimeout: 5`)).toMatch(/unknown top-level key\(s\) timeout; only 'requests:' is read/);
  });

  it("names the file, the request's index and name, and the fix", () => {
    expect(problem(withRequest("invocations: {inputs: [[1]]}\nexpect: {status: 200}"))).toBe(
      "smoke.yaml: requests[0].name is missing: give every request a name, e.g. {name: setosa, invocations: {dataframe_split: {columns: [...], data: [[...]]}}, expect: {predictions: [setosa]}}.",
    );
    expect(problem(withRequest("name: a\nexpect: {status: 200}"))).toMatch(
      /^smoke.yaml: requests\[0\] \(a\) must have exactly one of 'invocations' .* or 'v2' .*; it has neither\.$/,
    );
    expect(
      problem(withRequest("name: a\ninvocations: {inputs: [[1]]}\nv2: {inputs: []}\nexpect: {status: 200}")),
    ).toMatch(/it has both/);
    expect(problem(withRequest("name: a\ninvocations: {instance: [[1]]}\nexpect: {status: 200}"))).toBe(
      "smoke.yaml: requests[0] (a).invocations must hold exactly one of dataframe_split, dataframe_records, instances, inputs (MLflow's scoring body); it has [instance].",
    );
    expect(problem(withRequest("name: a\ninvocations: {inputs: [[1]], extra: 1}\nexpect: {status: 200}"))).toMatch(
      /invocations has unknown field\(s\) extra; remove them/,
    );
    expect(problem(withRequest("name: a\nv2: {inputs: [{name: x}]}\nexpect: {status: 200}"))).toMatch(
      /requests\[0\] \(a\)\.v2\.inputs\[0\] must be a tensor \{name, datatype, shape, data\}/,
    );
    expect(problem(withRequest("name: a\nv2: {id: x}\nexpect: {status: 200}"))).toMatch(
      /\(a\)\.v2 must hold 'inputs', a non-empty list of tensors/,
    );
    expect(problem(withRequest("name: a\ninvocations: {inputs: [[1]]}\nexpected: {status: 200}"))).toMatch(
      /\(a\) has unknown key\(s\) expected; a request has name, invocations or v2, and expect/,
    );
  });

  it("refuses expectations that check nothing or contradict themselves", () => {
    const request = (expect: string, protocol = "invocations: {inputs: [[1]]}") =>
      problem(withRequest(`name: a\n${protocol}\nexpect: ${expect}`));
    expect(request("{}")).toMatch(
      /\(a\)\.expect checks nothing: give predictions \(or outputs for v2\), a status, or both/,
    );
    expect(problem(withRequest("name: a\ninvocations: {inputs: [[1]]}"))).toMatch(/\(a\)\.expect is missing/);
    expect(request("{status: 700}")).toMatch(/expect\.status must be an HTTP status code such as 200 or 400; got 700/);
    expect(request("{status: ok}")).toMatch(/expect\.status must be an HTTP status code/);
    expect(request("{status: 400, predictions: [1]}")).toMatch(/expects status 400 and also predictions/);
    expect(request("{predictions: [1], tolerance: -1}")).toMatch(/expect\.tolerance must be a number ≥ 0/);
    expect(request("{status: 200, tolerance: 0.1}")).toMatch(/tolerance applies to predictions or outputs/);
    expect(request("{outputs: {label: [1]}}")).toMatch(/expect\.outputs is for v2 requests/);
    expect(request("{predictions: [1]}", "v2: {inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]}")).toMatch(
      /expect\.predictions is for invocations requests; a v2 request checks outputs/,
    );
    expect(request("{outputs: {}}", "v2: {inputs: [{name: x, datatype: FP32, shape: [1], data: [1]}]}")).toMatch(
      /expect\.outputs must map output names to their data/,
    );
    expect(request("{predictions: }")).toMatch(/expect\.predictions is empty/);
    expect(request("{sttaus: 200}")).toMatch(/expect has unknown key\(s\) sttaus/);
  });

  it("refuses two requests with one name", () => {
    const twice = `requests:\n${["a", "a"].map((name) => `  - {name: ${name}, invocations: {inputs: [[1]]}, expect: {status: 200}}`).join("\n")}\n`;
    expect(problem(twice)).toBe("smoke.yaml: two requests are named 'a'; give each its own name.");
  });

  it("reads a file, naming a missing one with the fix", async () => {
    const folder = mkdtempSync(join(tmpdir(), "lathe-smoke-"));
    try {
      const file = join(folder, "smoke.yaml");
      writeFileSync(file, GOOD);
      expect((await readSmokeFile(file)).requests).toHaveLength(3);
      await expect(readSmokeFile(join(folder, "missing.yaml"))).rejects.toThrow(
        /Smoke file '.*missing\.yaml' cannot be read: pass --smoke with the path of a YAML file/,
      );
      writeFileSync(file, "requests:\n  - name: a\n");
      await expect(readSmokeFile(file)).rejects.toThrow(
        new RegExp(`^${file.replaceAll("/", "\\/")}: requests\\[0\\] \\(a\\)`),
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
