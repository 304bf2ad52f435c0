/**
 * @module cli/program
 * The `lathe` command tree: each command group registers itself here.
 */
import type { Command } from "commander";
import { baseProgram } from "./base.js";
import { registerCardCommands } from "./card.js";
import { registerDataCommands } from "./data.js";
import { registerDemoCommand } from "./demo.js";
import { registerDeployCommands } from "./deploy.js";
import { registerDriftCommand } from "./drift.js";
import { registerExperimentsCommand } from "./experiments.js";
import { registerMetricsCommands } from "./metrics.js";
import { registerModelsCommand } from "./models.js";
import { registerMonitorCommand } from "./monitor.js";
import { registerNewCommand } from "./new.js";
import { registerPipelineCommands } from "./pipeline.js";
import { registerReleaseCommands } from "./release.js";
import { registerRetrainCommand } from "./retrain.js";
import { registerRunsCommand } from "./runs.js";
import { registerServeCommand } from "./serve.js";
import { registerServerCommand } from "./server.js";
import { registerAuditCommand, registerTokenCommands } from "./token.js";
import { registerTrainCommand } from "./train.js";
import { registerValidationCommands } from "./validate.js";

export function buildProgram(): Command {
  const program = baseProgram();
  registerServerCommand(program);
  registerTokenCommands(program);
  registerAuditCommand(program);
  registerServeCommand(program);
  registerExperimentsCommand(program);
  registerRunsCommand(program);
  registerModelsCommand(program);
  registerDemoCommand(program);
  registerDataCommands(program);
  registerPipelineCommands(program);
  registerMetricsCommands(program);
  registerDriftCommand(program);
  registerTrainCommand(program);
  registerRetrainCommand(program);
  registerValidationCommands(program);
  registerCardCommands(program);
  registerMonitorCommand(program);
  registerNewCommand(program);
  registerDeployCommands(program);
  registerReleaseCommands(program);
  return program;
}
