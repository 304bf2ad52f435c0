/**
 * The `lathe` command tree run in-process against a tracking server, its `--json` output captured.
 */
import { vi } from "vitest";
import { buildProgram } from "../../src/cli/program.js";

/** Runs `lathe <args> --json --tracking-uri <trackingUri>`: what it printed (parsed), or the error it failed with. */
export async function runLatheJson(trackingUri: string, args: string[]): Promise<{ output: unknown; error?: Error }> {
  let text = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  let error: Error | undefined;
  try {
    await buildProgram()
      .exitOverride()
      .parseAsync(["node", "lathe", ...args, "--json", "--tracking-uri", trackingUri]);
  } catch (caught) {
    error = caught as Error;
  } finally {
    spy.mockRestore();
  }
  return { output: text === "" ? undefined : JSON.parse(text), ...(error ? { error } : {}) };
}
