/**
 * Datasets the integration tests train and serve on.
 */
import { join } from "node:path";

/** The iris CSV of the example project (features, then `species`). */
export const IRIS = join(import.meta.dirname, "../../examples/iris/data/iris.csv");
