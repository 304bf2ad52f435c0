import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cpuTdpWatts, ramPowerWatts, raplDeltaUj, raplDomains, readRapl } from "./power.js";
import { appendEmissionsCsv, carbonIntensity, EMISSIONS_COLUMNS, EnergyTracker } from "./tracker.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lathe-energy-"));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

function busy(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  if (x < 0) throw new Error("unreachable");
}

describe("energy", () => {
  it("without readable RAPL takes the TDP path; a busy loop records more than a sleep of the same length", async () => {
    const noRapl = join(dir, "no-powercap");
    const sleeping = new EnergyTracker("FRA", noRapl);
    await sleep(300);
    const rest = sleeping.stop();
    const working = new EnergyTracker("FRA", noRapl);
    busy(300);
    const work = working.stop();
    for (const record of [rest, work]) {
      expect(record.cpu_measurement).toBe("tdp");
      expect(record.energy_consumed).toBeGreaterThan(0);
      expect(record.emissions).toBeGreaterThan(0);
      expect(record.carbon_intensity).toBe(56);
    }
    expect(work.cpu_energy).toBeGreaterThan(rest.cpu_energy * 2);
    expect(work.energy_consumed).toBeGreaterThan(rest.energy_consumed);
    expect(work.cpu_seconds).toBeGreaterThan(0.05);
    expect(work.emissions).toBeCloseTo((work.energy_consumed * 56) / 1000, 15);
  });

  it("reads RAPL package counters, skips sub-domains, and handles a wrap-around", async () => {
    const root = join(dir, "powercap");
    for (const [name, label, energy] of [
      ["intel-rapl:0", "package-0", "1000"],
      ["intel-rapl:0:0", "core", "500"],
      ["intel-rapl:1", "psys", "7"],
    ] as const) {
      await mkdir(join(root, name), { recursive: true });
      await writeFile(join(root, name, "name"), `${label}\n`);
      await writeFile(join(root, name, "energy_uj"), `${energy}\n`);
      await writeFile(join(root, name, "max_energy_range_uj"), "10000\n");
    }
    const domains = raplDomains(root);
    expect(domains.map((domain) => domain.name)).toEqual(["package-0"]);
    expect(readRapl(domains)).toEqual([1000]);
    expect(raplDeltaUj(domains, [9000], [1000])).toBe(2000);
    const tracker = new EnergyTracker("", root);
    await writeFile(join(root, "intel-rapl:0", "energy_uj"), "3601000\n");
    const record = tracker.stop();
    expect(record.cpu_measurement).toBe("rapl");
    expect(record.cpu_energy).toBeCloseTo(3.6 / 3.6e6, 12); // 3.6 J
  });

  it("models RAM and CPU power as CodeCarbon does, and carbon intensity by country", () => {
    expect(ramPowerWatts(8 * 1024 ** 3)).toBe(10);
    expect(ramPowerWatts(32 * 1024 ** 3)).toBe(20);
    expect(ramPowerWatts(128 * 1024 ** 3)).toBeCloseTo(38, 10);
    expect(cpuTdpWatts({}, 2)).toBe(8);
    expect(cpuTdpWatts({ LATHE_CPU_TDP_WATTS: "65" }, 2)).toBe(65);
    expect(carbonIntensity("usa", {})).toBe(369);
    expect(carbonIntensity("XYZ", {})).toBe(475);
    expect(carbonIntensity(undefined, { LATHE_CARBON_INTENSITY: "100" })).toBe(100);
    expect(() => carbonIntensity(undefined, { LATHE_CARBON_INTENSITY: "lots" })).toThrow(/LATHE_CARBON_INTENSITY/);
  });

  it("writes emissions.csv with CodeCarbon's columns, appending, and starts afresh after a different header", async () => {
    const file = join(dir, "emissions.csv");
    const record = new EnergyTracker("DEU", join(dir, "none")).stop();
    await appendEmissionsCsv(file, record, { projectName: "iris", runId: "abc" });
    await appendEmissionsCsv(file, record, { projectName: "iris", runId: "def" });
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines[0]).toBe(EMISSIONS_COLUMNS.join(","));
    expect(lines).toHaveLength(3);
    expect(lines[2]!.split(",")[2]).toBe("def");
    await writeFile(file, "old,header\n1,2\n");
    await appendEmissionsCsv(file, record, { projectName: "iris" });
    expect(await readFile(`${file}.bak`, "utf8")).toBe("old,header\n1,2\n");
    expect((await readFile(file, "utf8")).split("\n")[0]).toBe(EMISSIONS_COLUMNS.join(","));
  });
});
