/**
 * @module tracking/store
 * What the server, CLI and SDK need from a tracking backend. One SQL implementation serves SQLite
 * and PostgreSQL; the interface keeps the domain free of either.
 */
import type {
  BulkIntervalInput,
  CreateExperimentInput,
  CreateRunInput,
  DatasetInput,
  Experiment,
  LogBatchInput,
  Metric,
  MetricHistoryInput,
  Page,
  Param,
  Run,
  RunInfo,
  RunMetric,
  SearchExperimentsInput,
  SearchRunsInput,
  Tag,
  UpdateRunInput,
} from "./entities.js";

export interface TrackingStore {
  createExperiment(input: CreateExperimentInput): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment>;
  searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  setExperimentTag(experimentId: string, tag: Tag): Promise<void>;
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;

  createRun(input: CreateRunInput): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  updateRun(input: UpdateRunInput): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  logMetric(runId: string, metric: Metric): Promise<void>;
  logParam(runId: string, param: Param): Promise<void>;
  setTag(runId: string, tag: Tag): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logBatch(input: LogBatchInput): Promise<void>;
  logInputs(runId: string, datasets: DatasetInput[]): Promise<void>;
  searchRuns(input: SearchRunsInput): Promise<Page<Run>>;
  /**
   * True when searchRuns may hand out the same page and run objects again (pages it remembers), so
   * callers gain by keeping what they derive from them; false when every page is new.
   */
  readonly reusesSearchResults: boolean;

  getMetricHistory(input: MetricHistoryInput): Promise<Page<Metric>>;
  getMetricHistoryBulkInterval(input: BulkIntervalInput): Promise<RunMetric[]>;
  getMetricHistoryBulk(runIds: string[], metricKey: string, maxResults: number): Promise<RunMetric[]>;

  close(): Promise<void>;
}
