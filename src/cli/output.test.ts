import { describe, expect, it } from "vitest";
import { formatTime, renderTable } from "./output.js";

describe("renderTable", () => {
  it("aligns columns under their headers and cuts long cells", () => {
    const table = renderTable(
      [
        { name: "iris", runs: 3, acc: 0.9666666 },
        { name: "a-very-long-experiment-name", runs: 12, acc: undefined },
      ],
      [
        { header: "NAME", value: (row) => row.name },
        { header: "RUNS", value: (row) => row.runs },
        { header: "ACC", value: (row) => row.acc },
      ],
      10,
    );
    expect(table.split("\n")).toEqual(["NAME        RUNS  ACC", "iris        3     0.966667", "a-very-lo…  12"]);
  });
});

describe("formatTime", () => {
  it("prints UTC times and nothing for absent ones", () => {
    expect(formatTime(0)).toBe("1970-01-01 00:00:00");
    expect(formatTime(null)).toBe("");
  });
});
