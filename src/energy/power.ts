/**
 * @module energy/power
 * Where the watts come from, following CodeCarbon's methods (reference/monitoring.md §5): Intel/AMD
 * RAPL energy counters under `/sys/class/powercap` when they are readable; otherwise the CPU's power
 * estimated from its thermal design power and the CPU time used (CodeCarbon's "cpu_load" process
 * mode: P = TDP × (CPU-seconds / Δt) / logical CPUs); and RAM power from the number of memory modules
 * the installed size suggests.
 */
import { readdirSync, readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";

const POWERCAP = "/sys/class/powercap";

/** One RAPL package domain: its cumulative counter file and the value at which it wraps. */
export interface RaplDomain {
  readonly name: string;
  readonly energyFile: string;
  readonly maxRangeUj: number;
}

/**
 * The RAPL package domains (`intel-rapl:N`, not their `:N:M` sub-domains, which would count twice)
 * whose `energy_uj` this process can read; empty when there are none or they are root-only.
 */
export function raplDomains(root = POWERCAP): RaplDomain[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const domains: RaplDomain[] = [];
  for (const entry of names.filter((name) => /^intel-rapl:\d+$/.test(name)).sort()) {
    const folder = join(root, entry);
    try {
      const name = readFileSync(join(folder, "name"), "utf8").trim();
      if (!name.startsWith("package")) continue;
      readFileSync(join(folder, "energy_uj"), "utf8");
      const maxRangeUj = Number(readFileSync(join(folder, "max_energy_range_uj"), "utf8").trim());
      domains.push({ name, energyFile: join(folder, "energy_uj"), maxRangeUj });
    } catch {
      // Unreadable (root-only since CVE-2020-8694): this domain cannot be used.
    }
  }
  return domains;
}

/** The counters of `domains` now, in µJ. */
export function readRapl(domains: readonly RaplDomain[]): number[] {
  return domains.map((domain) => Number(readFileSync(domain.energyFile, "utf8").trim()));
}

/** Energy in µJ between two readings, adding the wrap-around range where a counter went down. */
export function raplDeltaUj(
  domains: readonly RaplDomain[],
  before: readonly number[],
  after: readonly number[],
): number {
  let total = 0;
  domains.forEach((domain, index) => {
    const delta = after[index]! - before[index]!;
    total += delta >= 0 ? delta : delta + domain.maxRangeUj;
  });
  return total;
}

/** Watts per logical CPU when the CPU model's TDP is unknown (CodeCarbon's rule). */
export const WATTS_PER_THREAD = 4;

/** The CPU's thermal design power in watts: `LATHE_CPU_TDP_WATTS` if set, else 4 W per logical CPU. */
export function cpuTdpWatts(env: NodeJS.ProcessEnv = process.env, threads = cpus().length): number {
  const forced = Number(env.LATHE_CPU_TDP_WATTS);
  if (env.LATHE_CPU_TDP_WATTS !== undefined && Number.isFinite(forced) && forced > 0) return forced;
  return WATTS_PER_THREAD * Math.max(threads, 1);
}

/**
 * RAM power in watts from the installed size: the likely number of modules, 5 W each on x86 with
 * diminishing weights (1.0 for the first four, 0.9 to eight, 0.8 to sixteen, 0.7 beyond), at least
 * 10 W — CodeCarbon's v3 model (8 GB ≈ 10 W, 32 or 64 GB ≈ 20 W, 128 GB ≈ 38 W).
 */
export function ramPowerWatts(totalBytes = totalmem()): number {
  const gb = totalBytes / 1024 ** 3;
  let modules: number;
  if (gb <= 2) modules = 1;
  else if (gb <= 16) modules = 2;
  else if (gb <= 64) modules = 4;
  else if (gb <= 128) modules = 8;
  else {
    const sizes = [128, 64, 32, 16, 8];
    const size = sizes.find((candidate) => candidate <= gb / 8) ?? 8;
    modules = Math.min(Math.ceil(gb / size), 32);
  }
  let watts = 0;
  for (let module = 1; module <= modules; module++)
    watts += 5 * (module <= 4 ? 1 : module <= 8 ? 0.9 : module <= 16 ? 0.8 : 0.7);
  return Math.max(watts, 10);
}
