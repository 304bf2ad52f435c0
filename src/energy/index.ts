/**
 * @module energy
 * Energy and carbon of training runs and pipeline stages, measured the way CodeCarbon measures them.
 */
export { cpuTdpWatts, type RaplDomain, ramPowerWatts, raplDeltaUj, raplDomains, readRapl } from "./power.js";
export {
  appendEmissionsCsv,
  CARBON_INTENSITY_G_PER_KWH,
  carbonIntensity,
  EMISSIONS_COLUMNS,
  type EnergyRecord,
  EnergyTracker,
  measureEnergy,
  WORLD_CARBON_INTENSITY_G_PER_KWH,
} from "./tracker.js";
