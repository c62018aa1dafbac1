/** The driver's side of the protocol: a framework's child process and its request/reply channel. */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { MARK, type Reply, type Request } from "./protocol.js";

/** How to start one worker. */
export interface WorkerCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** A running worker; requests are answered in order, one at a time. */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private readonly tail: string[] = [];
  private exited: string | null = null;
  /** Set when a request went unanswered past its timeout (the worker was then killed). */
  timedOut = false;

  constructor(readonly id: string, spec: WorkerCommand, private readonly verbose: boolean) {
    this.child = spawn(spec.command, spec.args, { env: { ...process.env, ...spec.env }, stdio: ["pipe", "pipe", "pipe"] });
    const out = createInterface({ input: this.child.stdout! });
    out.on("line", (line) => {
      if (line.startsWith(MARK)) {
        this.waiting.shift()?.resolve(JSON.parse(line.slice(MARK.length)) as Reply);
      } else {
        this.remember(line);
      }
    });
    createInterface({ input: this.child.stderr! }).on("line", (line) => this.remember(line));
    this.child.on("exit", (code, signal) => {
      this.exited = `exited with ${signal ?? `code ${code}`}`;
      const why = new Error(`${this.id} ${this.exited}${this.tail.length ? `: ${this.tail.slice(-5).join(" | ")}` : ""}`);
      for (const w of this.waiting.splice(0)) w.reject(why);
    });
    this.child.on("error", (error) => {
      this.exited = error.message;
      for (const w of this.waiting.splice(0)) w.reject(error);
    });
  }

  private remember(line: string): void {
    if (this.verbose) process.stderr.write(`  [${this.id}] ${line}\n`);
    this.tail.push(line);
    if (this.tail.length > 20) this.tail.shift();
  }

  /** Sends a request and waits for its reply (rejects when the worker dies or `timeoutSec` passes). */
  request(req: Request, timeoutSec = 900): Promise<Reply> {
    if (this.exited !== null) return Promise.reject(new Error(`${this.id} ${this.exited}`));
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.id}: no reply to ${req.op} within ${timeoutSec} s (killed)`));
        this.timedOut = true;
        this.kill();
      }, timeoutSec * 1000);
      this.waiting.push({
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.child.stdin!.write(`${JSON.stringify(req)}\n`);
    });
  }

  /** Asks the worker to exit, and kills it if it does not within a few seconds. */
  async close(): Promise<void> {
    if (this.exited !== null) return;
    const done = new Promise<void>((resolve) => {
      if (this.exited !== null) resolve();
      else this.child.once("exit", () => resolve());
    });
    try {
      await Promise.race([this.request({ op: "exit" }, 5), done]);
    } catch {
      // it is being killed below anyway
    }
    this.child.stdin!.end();
    const timer = setTimeout(() => this.kill(), 3000);
    await done;
    clearTimeout(timer);
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.exited === null;
  }

  kill(): void {
    if (this.exited === null) this.child.kill("SIGKILL");
  }
}
