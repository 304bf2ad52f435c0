/**
 * Golden files: every file `lathe new` writes for a project named "Churn Model", compared with the
 * copy under `__golden__/` (the sample data by its hash). Accept a deliberate change with
 * `vitest run test/scaffold/golden.test.ts --update`.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { projectNames, renderProject } from "../../src/scaffold/index.js";

describe("lathe new golden files", () => {
  for (const template of ["typescript", "python"] as const)
    it(template, async () => {
      const files = renderProject(template, projectNames("Churn Model"));
      const data = files["data/raw/churn.csv"]!;
      expect(createHash("md5").update(data).digest("hex")).toMatchSnapshot("data/raw/churn.csv md5");
      for (const [path, text] of Object.entries(files))
        if (path !== "data/raw/churn.csv")
          await expect(text).toMatchFileSnapshot(`__golden__/${template}/${path.replaceAll("/", "__")}.golden`);
    });
});
