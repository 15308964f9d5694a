import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Finding, running and stopping the server binaries this lib falls back to.
 * `path` is passed in (not read from process.env) so callers decide what the
 * lib may see, and tests can point it elsewhere.
 */

/** The first executable named `name` in `path` (a PATH string) or, after it, in `extraDirs`. */
export function findExecutable(name: string, path: string | undefined, extraDirs: string[] = []): string | undefined {
  const dirs = [...(path ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

export type RunResult = { stdout: string; stderr: string };

/** Runs a command to completion; the error carries its output, which is where tools like initdb explain themselves. */
export function run(file: string, args: string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const settings = { timeout: options.timeoutMs ?? 60_000, maxBuffer: 4 * 1024 * 1024, cwd: options.cwd };
    execFile(file, args, settings, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout, stderr });
      const output = `${stderr}\n${stdout}`.trim();
      reject(new Error(`${[file, ...args].join(' ')} failed: ${error.message.split('\n')[0]}${output ? `\n${output}` : ''}`));
    });
  });
}

/**
 * A long-running server started as a child. It stays in the caller's process
 * group (not detached) so that Ctrl-C in a terminal reaches it too; its output
 * is kept (last lines only) because that is what explains a failed start.
 */
export class ServerProcess {
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private exitInfo: string | undefined;
  private readonly exited: Promise<void>;

  constructor(readonly file: string, readonly args: string[]) {
    this.child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.lines.push(line.trimEnd());
      // The pipes must be drained or the server blocks on a full pipe; only the tail is worth keeping.
      if (this.lines.length > 40) this.lines.splice(0, this.lines.length - 40);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.exitInfo ??= `could not be started: ${error.message}`;
        resolve();
      });
      this.child.once('exit', (code, signal) => {
        this.exitInfo ??= signal ? `was killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Set once the process has gone, saying how; waiters use it to stop waiting early. */
  get exitReason(): string | undefined {
    return this.exitInfo;
  }

  output(): string {
    return this.lines.join('\n');
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. Safe to call more than once. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exitInfo) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    });
    const late = await Promise.race([this.exited.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/**
 * Whether a process still runs. A zombie (exited, not yet reaped by its
 * parent, which for a daemonised postmaster is init) counts as gone.
 */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): kill(0) is all there is
  }
}

/** Whether this process runs as root, where Postgres' tools refuse to run directly. */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}
