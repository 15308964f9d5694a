import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * Starts a TypeScript entry point of this repository as its own Node
 * process (`node --import tsx`, so its pid is the process that does the
 * work) and resolves once it prints a line containing `readyLine` on
 * stdout. Its stderr is passed through; it is killed if this process exits.
 * BENCH_NODE_ARGS adds Node options to every such process, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the systems under test.
 */
export async function startProcess(entry: string, args: string[], env: Record<string, string>, readyLine: string, timeoutMs = 30_000): Promise<ChildProcess> {
  const nodeArgs = (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(REPO, entry), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${entry} did not print "${readyLine}" within ${timeoutMs} ms`)), timeoutMs);
    const watch = (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4096);
      if (!seen.includes(readyLine)) return;
      clearTimeout(timer);
      child.stdout!.off('data', watch);
      resolve();
    };
    child.stdout!.on('data', watch);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before it was ready`));
    });
  });
  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout!.resume();
  return child;
}

/** Stops a process started by startProcess: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
