/**
 * @module pipeline/runner
 * Runs a stage's commands through `/bin/sh -c`, one after another, each in its own process group
 * so an interrupt can stop the whole tree; output arrives line by line.
 */
import { spawn } from "node:child_process";

/** How a command ended. */
export type CommandOutcome =
  | { ok: true }
  | { ok: false; command: string; exitCode: number | null; signal: NodeJS.Signals | null };

/** Options of {@link runCommands}. */
export interface RunCommandsOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
  signal?: AbortSignal;
}

function lineSplitter(emit: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest = "";
  return {
    push(chunk) {
      const text = rest + chunk.toString("utf8");
      const lines = text.split("\n");
      rest = lines.pop()!;
      for (const line of lines) emit(line.endsWith("\r") ? line.slice(0, -1) : line);
    },
    end() {
      if (rest !== "") emit(rest);
      rest = "";
    },
  };
}

function runOne(command: string, options: RunCommandsOptions): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    if (options.signal?.aborted) {
      resolve({ ok: false, command, exitCode: null, signal: "SIGTERM" });
      return;
    }
    const child = spawn("/bin/sh", ["-c", command], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const out = lineSplitter((line) => options.onLine?.("stdout", line));
    const err = lineSplitter((line) => options.onLine?.("stderr", line));
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    const kill = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // The group is already gone.
      }
    };
    options.signal?.addEventListener("abort", kill, { once: true });
    child.on("error", (error) => {
      options.signal?.removeEventListener("abort", kill);
      options.onLine?.("stderr", `cannot start /bin/sh: ${error.message}`);
      resolve({ ok: false, command, exitCode: 127, signal: null });
    });
    child.on("close", (exitCode, signal) => {
      options.signal?.removeEventListener("abort", kill);
      out.end();
      err.end();
      if (exitCode === 0 && !options.signal?.aborted) resolve({ ok: true });
      else resolve({ ok: false, command, exitCode, signal: signal ?? (options.signal?.aborted ? "SIGTERM" : null) });
    });
  });
}

/** Runs `commands` in order, stopping at the first failure. */
export async function runCommands(commands: readonly string[], options: RunCommandsOptions): Promise<CommandOutcome> {
  for (const command of commands) {
    const outcome = await runOne(command, options);
    if (!outcome.ok) return outcome;
  }
  return { ok: true };
}
