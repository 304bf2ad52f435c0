/**
 * @module energy/tracker
 * Measures the energy a piece of work used and the carbon it emitted, as CodeCarbon's offline
 * tracker does in process mode: CPU energy from RAPL counters when readable, else TDP × the CPU
 * time this process and its finished children used; RAM power × duration; emissions = kWh × the
 * country's carbon intensity. Records go to `emissions.csv` with CodeCarbon's columns.
 */
import { readFileSync } from "node:fs";
import { appendFile, readFile, rename } from "node:fs/promises";
import { arch, cpus, platform, release, totalmem } from "node:os";
import { invalidParameter } from "../core/errors.js";
import { VERSION } from "../version.js";
import { cpuTdpWatts, type RaplDomain, ramPowerWatts, raplDeltaUj, raplDomains, readRapl } from "./power.js";

/**
 * Carbon intensity of electricity, g CO₂e per kWh, by ISO 3166-1 alpha-3 code. Source: Our World in
 * Data's 2023 figures as CodeCarbon's `global_energy_mix.json` carries them (FRA, USA, DEU, CHN, IND),
 * and CodeCarbon's world average for every other country. `LATHE_CARBON_INTENSITY` (g/kWh) overrides.
 */
export const CARBON_INTENSITY_G_PER_KWH: Readonly<Record<string, number>> = {
  FRA: 56,
  USA: 369,
  DEU: 381,
  CHN: 582,
  IND: 713,
};
export const WORLD_CARBON_INTENSITY_G_PER_KWH = 475;

/** g CO₂e/kWh for a country (`LATHE_COUNTRY_ISO_CODE`), the world average when unknown. */
export function carbonIntensity(country: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const forced = Number(env.LATHE_CARBON_INTENSITY);
  if (env.LATHE_CARBON_INTENSITY !== undefined) {
    if (!Number.isFinite(forced) || forced < 0)
      throw invalidParameter(
        `LATHE_CARBON_INTENSITY must be a non-negative number of g CO2e per kWh, got '${env.LATHE_CARBON_INTENSITY}'.`,
      );
    return forced;
  }
  return (country && CARBON_INTENSITY_G_PER_KWH[country.toUpperCase()]) || WORLD_CARBON_INTENSITY_G_PER_KWH;
}

/** What one measurement found. Energies in kWh, powers in W, emissions in kg CO₂e. */
export interface EnergyRecord {
  readonly duration: number;
  readonly cpu_energy: number;
  readonly ram_energy: number;
  readonly energy_consumed: number;
  readonly cpu_power: number;
  readonly ram_power: number;
  readonly emissions: number;
  readonly emissions_rate: number;
  readonly carbon_intensity: number;
  readonly country_iso_code: string;
  /** `rapl` when energy counters were read, `tdp` when estimated from CPU time. */
  readonly cpu_measurement: "rapl" | "tdp";
  readonly cpu_seconds: number;
  readonly cpu_utilization_percent: number;
}

const TICKS_PER_SECOND = 100;

/** CPU seconds of this process plus those of its children that have finished (Linux; else self only). */
function cpuSeconds(): number {
  const self = process.cpuUsage();
  let children = 0;
  try {
    // Fields 16 and 17 of /proc/self/stat (cutime, cstime) after the command name in parentheses.
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    children = (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
  } catch {
    // No procfs: children's time is not counted.
  }
  return (self.user + self.system) / 1e6 + (Number.isFinite(children) ? children : 0);
}

const KWH_PER_JOULE = 1 / 3.6e6;

/** A running measurement: `stop()` returns the record. */
export class EnergyTracker {
  private readonly domains: RaplDomain[];
  private readonly startedAt = performance.now();
  private readonly cpuAtStart = cpuSeconds();
  private readonly raplAtStart: number[];

  /** Starts measuring now. `country` is an ISO alpha-3 code (default `LATHE_COUNTRY_ISO_CODE`). */
  constructor(
    private readonly country: string = process.env.LATHE_COUNTRY_ISO_CODE ?? "",
    raplRoot?: string,
  ) {
    this.domains = raplDomains(raplRoot);
    this.raplAtStart = this.domains.length > 0 ? readRapl(this.domains) : [];
  }

  stop(): EnergyRecord {
    const duration = Math.max((performance.now() - this.startedAt) / 1000, 1e-9);
    const used = Math.max(cpuSeconds() - this.cpuAtStart, 0);
    const threads = Math.max(cpus().length, 1);
    let cpuJoules: number;
    let measurement: EnergyRecord["cpu_measurement"];
    if (this.domains.length > 0) {
      cpuJoules = raplDeltaUj(this.domains, this.raplAtStart, readRapl(this.domains)) / 1e6;
      measurement = "rapl";
    } else {
      cpuJoules = (cpuTdpWatts() * used) / threads;
      measurement = "tdp";
    }
    const ramPower = ramPowerWatts();
    const cpuEnergy = cpuJoules * KWH_PER_JOULE;
    const ramEnergy = ramPower * duration * KWH_PER_JOULE;
    const energy = cpuEnergy + ramEnergy;
    const intensity = carbonIntensity(this.country);
    const emissions = (energy * intensity) / 1000;
    return {
      duration,
      cpu_energy: cpuEnergy,
      ram_energy: ramEnergy,
      energy_consumed: energy,
      cpu_power: cpuJoules / duration,
      ram_power: ramPower,
      emissions,
      emissions_rate: emissions / duration,
      carbon_intensity: intensity,
      country_iso_code: this.country.toUpperCase(),
      cpu_measurement: measurement,
      cpu_seconds: used,
      cpu_utilization_percent: (100 * used) / (duration * threads),
    };
  }
}

/** Runs `work` under a tracker; returns its result and the energy it used. */
export async function measureEnergy<T>(work: () => Promise<T> | T): Promise<{ result: T; energy: EnergyRecord }> {
  const tracker = new EnergyTracker();
  const result = await work();
  return { result, energy: tracker.stop() };
}

/** CodeCarbon's `emissions.csv` columns, in order. */
export const EMISSIONS_COLUMNS = [
  "timestamp",
  "project_name",
  "run_id",
  "experiment_id",
  "duration",
  "emissions",
  "emissions_rate",
  "cpu_power",
  "gpu_power",
  "ram_power",
  "cpu_energy",
  "gpu_energy",
  "ram_energy",
  "energy_consumed",
  "water_consumed",
  "country_name",
  "country_iso_code",
  "region",
  "cloud_provider",
  "cloud_region",
  "os",
  "python_version",
  "codecarbon_version",
  "cpu_count",
  "cpu_model",
  "gpu_count",
  "gpu_model",
  "longitude",
  "latitude",
  "ram_total_size",
  "tracking_mode",
  "cpu_utilization_percent",
  "gpu_utilization_percent",
  "ram_utilization_percent",
  "ram_used_gb",
  "on_cloud",
  "pue",
  "wue",
] as const;

function csvField(value: unknown): string {
  const text = value === undefined || value === null ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Appends one row to `emissions.csv` (creating it with the header). A file whose header differs is
 * kept as `<file>.bak` and a new one started, as CodeCarbon does.
 */
export async function appendEmissionsCsv(
  file: string,
  record: EnergyRecord,
  context: { projectName: string; runId?: string; experimentId?: string },
): Promise<void> {
  const header = EMISSIONS_COLUMNS.join(",");
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing !== undefined && existing.split(/\r?\n/, 1)[0] !== header) await rename(file, `${file}.bak`);
  const fresh = existing === undefined || existing.split(/\r?\n/, 1)[0] !== header;
  const row: Record<(typeof EMISSIONS_COLUMNS)[number], unknown> = {
    timestamp: new Date().toISOString(),
    project_name: context.projectName,
    run_id: context.runId ?? "",
    experiment_id: context.experimentId ?? "",
    duration: record.duration,
    emissions: record.emissions,
    emissions_rate: record.emissions_rate,
    cpu_power: record.cpu_power,
    gpu_power: 0,
    ram_power: record.ram_power,
    cpu_energy: record.cpu_energy,
    gpu_energy: 0,
    ram_energy: record.ram_energy,
    energy_consumed: record.energy_consumed,
    water_consumed: 0,
    country_name: "",
    country_iso_code: record.country_iso_code,
    region: "",
    cloud_provider: "",
    cloud_region: "",
    os: `${platform()}-${release()}-${arch()}`,
    python_version: "",
    codecarbon_version: `lathe ${VERSION}`,
    cpu_count: cpus().length,
    cpu_model: cpus()[0]?.model ?? "",
    gpu_count: 0,
    gpu_model: "",
    longitude: "",
    latitude: "",
    ram_total_size: totalmem() / 1024 ** 3,
    tracking_mode: "process",
    cpu_utilization_percent: record.cpu_utilization_percent,
    gpu_utilization_percent: 0,
    ram_utilization_percent: "",
    ram_used_gb: process.memoryUsage().rss / 1024 ** 3,
    on_cloud: "N",
    pue: 1,
    wue: 0,
  };
  const line = EMISSIONS_COLUMNS.map((column) => csvField(row[column])).join(",");
  await appendFile(file, `${fresh ? `${header}\n` : ""}${line}\n`);
}
