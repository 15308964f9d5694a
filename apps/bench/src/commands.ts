import { performance } from 'node:perf_hooks';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { cpuMeter, ownCpuSeconds, percentile } from './measure.ts';
import type { Target } from './targets/target.ts';

export type CommandStep = { clients: number; commandsPerSecond: number; p50: number; p99: number; failed: number; systemCores: number; loadgenCores: number };

const body = (i: number) => JSON.stringify({ r: 0, s: i, t: 0, p: 'x'.repeat(100) });

/**
 * S3: `clients` publishers in a closed loop (each sends its next command
 * when the previous one is acknowledged: for Parley, when its outcome
 * arrives), for `stepMs`; latency per command, commands per second.
 */
export async function runCommands(target: Target, clientCounts: number[], stepMs: number, infraPids: () => number[], log: (line: string) => void): Promise<CommandStep[]> {
  const steps: CommandStep[] = [];
  for (const clients of clientCounts) {
    const publishers = await Promise.all(Array.from({ length: clients }, (_, i) => target.publisher(900_000 + clients * 1000 + i, [0])));
    const latencies: number[] = [];
    let failed = 0;
    const system = cpuMeter(() => [...target.pids(), ...infraPids()]);
    const ownSince = process.cpuUsage();
    const started = performance.now();
    const until = started + stepMs;
    await Promise.all(
      publishers.map(async (publisher, p) => {
        for (let i = 0; performance.now() < until; i++) {
          const sentAt = performance.now();
          try {
            await publisher.publish(0, body(p * 1_000_000 + i));
            latencies.push(performance.now() - sentAt);
          } catch {
            failed++;
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    for (const publisher of publishers) await publisher.close();
    const sorted = Float64Array.from(latencies).sort();
    const step = { clients, commandsPerSecond: latencies.length / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99), failed, systemCores: system() / elapsed, loadgenCores: ownCpuSeconds(ownSince) / elapsed };
    steps.push(step);
    log(`  ${clients} clients: ${Math.round(step.commandsPerSecond)} commands/s, p50 ${step.p50.toFixed(2)} ms, p99 ${step.p99.toFixed(2)} ms`);
  }
  return steps;
}

/** The floor S3 is compared with: one client's closed-loop JetStream publish acknowledgement (a 150-byte message). */
export async function jetStreamAckLatency(natsUrl: string, stepMs: number): Promise<{ p50: number; p99: number }> {
  const nc = await connect({ servers: natsUrl, name: 'parley-bench-floor' });
  const jsm = await jetstreamManager(nc);
  const name = `BENCH_FLOOR_${Date.now()}`;
  const subject = `benchfloor${Date.now()}`;
  await jsm.streams.add({ name, subjects: [`${subject}.>`] });
  const js = jetstream(nc);
  const latencies: number[] = [];
  const until = performance.now() + stepMs;
  try {
    for (let i = 0; performance.now() < until; i++) {
      const sentAt = performance.now();
      await js.publish(`${subject}.x`, body(i));
      latencies.push(performance.now() - sentAt);
    }
  } finally {
    await jsm.streams.delete(name);
    await nc.close();
  }
  const sorted = Float64Array.from(latencies).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}
