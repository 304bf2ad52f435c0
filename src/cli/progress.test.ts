import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatProgress } from "./progress.js";

const MIB = 2 ** 20;

describe("formatProgress", () => {
  it("shows files, bytes, rate and ETA from the byte totals", () => {
    expect(formatProgress({ files: 12, totalFiles: 40, bytes: 3.1 * MIB, totalBytes: 9 * MIB, elapsedMs: 2600 })).toBe(
      "12/40 files, 3.1/9.0 MiB, 1.2 MiB/s, ETA 5s",
    );
  });

  it("estimates from files when the byte total is unknown (fetch does not know sizes)", () => {
    expect(formatProgress({ files: 10, totalFiles: 30, bytes: 2048, totalBytes: 0, elapsedMs: 4000 })).toBe(
      "10/30 files, 2.0 KiB, 512 B/s, ETA 8s",
    );
  });

  it("shows no ETA without totals, nor before anything moved", () => {
    expect(formatProgress({ files: 5, bytes: 5 * MIB, elapsedMs: 1000 })).toBe("5 files, 5.0 MiB, 5.0 MiB/s");
    expect(formatProgress({ files: 0, totalFiles: 3, bytes: 0, totalBytes: 100, elapsedMs: 0 })).toBe(
      "0/3 files, 0/100 B, 0 B/s",
    );
  });

  it("reads zero time left once everything is done", () => {
    expect(formatProgress({ files: 2, totalFiles: 2, bytes: 10, totalBytes: 10, elapsedMs: 500 })).toBe(
      "2/2 files, 10/10 B, 20 B/s, ETA 0s",
    );
  });
});

describe("formatBytes and formatDuration", () => {
  it("pick a readable unit", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(3 * 2 ** 30)).toBe("3.0 GiB");
    expect(formatDuration(400)).toBe("1s");
    expect(formatDuration(125_000)).toBe("2m05s");
    expect(formatDuration(3_725_000)).toBe("1h02m");
  });
});
