import { performance } from 'node:perf_hooks';
import { cpuMeter, ownCpuSeconds, percentile } from './measure.ts';
import type { Connection, Publisher, Target } from './targets/target.ts';

/** One fan-out shape: `rooms` rooms with `subscribers` each (S2: 1 x 1000, 100 x 10, 1000 x 2). */
export type Shape = { rooms: number; subscribers: number };

export type FanoutStep = {
  /** Messages published per second, all rooms together (open loop). */
  rate: number;
  published: number;
  /** Publishes the system failed (no ack). */
  failed: number;
  /** Deliveries expected (published x subscribers of the room) and seen. */
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  /** Deliveries per second over the send window. */
  deliveredPerSecond: number;
  /** End-to-end latency from the scheduled send time, ms. */
  p50: number;
  p99: number;
  max: number;
  /** CPU seconds per wall second: the system under test, and the load generator itself. */
  systemCores: number;
  loadgenCores: number;
};

const BODY_PAD = 'x'.repeat(100);

/** Past this p99 a system is saturated: higher rates would only measure its backlog, so they are skipped. */
const SATURATED_P99_MS = 1000;
/** How long a step waits for the acknowledgements of its publishes (the rest count as failed). */
const ACK_WAIT_MS = 60_000;

type Audience = { room: number; last: number; onBody: (body: string) => void };

/**
 * S2: connects the subscribers, then publishes at each rate in turn on an
 * open-loop schedule (latency counts from the moment a message was due,
 * so a system that falls behind cannot hide it by slowing the sender), and
 * checks every delivery against its room's sequence: gaps, duplicates and
 * reordering are counted, never assumed away.
 */
export async function runFanout(target: Target, shape: Shape, userBase: number, rates: number[], stepMs: number, infraPids: () => number[], log: (line: string) => void): Promise<FanoutStep[]> {
  const publishers: Publisher[] = [];
  const connections: Connection[] = [];
  let latencies: number[] = [];
  let delivered = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  const audiences: Audience[] = [];
  for (let room = 0; room < shape.rooms; room++) {
    for (let i = 0; i < shape.subscribers; i++) {
      const audience: Audience = {
        room,
        last: -1,
        onBody: (body) => {
          const now = performance.now();
          const { s, t } = JSON.parse(body) as { s: number; t: number };
          delivered++;
          latencies.push(now - t);
          if (s <= audience.last) duplicates++;
          else if (s !== audience.last + 1) outOfOrder++;
          if (s > audience.last) audience.last = s;
        },
      };
      audiences.push(audience);
    }
  }
  log(`  connecting ${audiences.length} subscribers`);
  for (let i = 0; i < audiences.length; i += 50) {
    const batch = audiences.slice(i, i + 50).map((a, j) => target.subscribe(a.room, userBase + i + j, a.onBody));
    connections.push(...(await Promise.all(batch)));
  }
  const publisherCount = Math.min(shape.rooms, 4);
  for (let p = 0; p < publisherCount; p++) {
    const rooms = Array.from({ length: shape.rooms }, (_, room) => room).filter((room) => room % publisherCount === p);
    publishers.push(await target.publisher(userBase + 90_000 + p, rooms));
  }
  await settle(() => [...target.pids(), ...infraPids()], log);
  const seq = new Int32Array(shape.rooms);
  const steps: FanoutStep[] = [];
  try {
    for (const rate of rates) {
      for (const a of audiences) a.last = seq[a.room]! - 1;
      latencies = [];
      delivered = duplicates = outOfOrder = 0;
      let failed = 0;
      let acked = 0;
      const acks: Promise<void>[] = [];
      const system = cpuMeter(() => [...target.pids(), ...infraPids()]);
      const ownSince = process.cpuUsage();
      const started = performance.now() + 50;
      const total = Math.max(1, Math.round((rate * stepMs) / 1000));
      let sent = 0;
      await new Promise<void>((resolve) => {
        const tick = () => {
          const now = performance.now();
          while (sent < total && started + (sent * 1000) / rate <= now) {
            const room = sent % shape.rooms;
            const due = started + (sent * 1000) / rate;
            const body = JSON.stringify({ r: room, s: seq[room]!++, t: due, p: BODY_PAD });
            acks.push(publishers[room % publisherCount]!.publish(room, body).then(() => void acked++, () => void failed++));
            sent++;
          }
          if (sent < total) setTimeout(tick, 2);
          else resolve();
        };
        setTimeout(tick, 50);
      });
      const window = (performance.now() - started) / 1000;
      // A system far past its capacity may take minutes to acknowledge its backlog: wait a bounded time.
      await Promise.race([Promise.all(acks), new Promise((resolve) => setTimeout(resolve, ACK_WAIT_MS))]);
      failed = total - acked;
      const expected = acked * shape.subscribers;
      const settleBy = performance.now() + 5000;
      while (delivered < expected && performance.now() < settleBy) await new Promise((resolve) => setTimeout(resolve, 20));
      const elapsed = (performance.now() - started) / 1000;
      const sorted = Float64Array.from(latencies).sort();
      const step: FanoutStep = {
        rate,
        published: total,
        failed,
        expected,
        delivered,
        lost: Math.max(0, expected - (delivered - duplicates)),
        duplicates,
        outOfOrder,
        deliveredPerSecond: delivered / window,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
        systemCores: system() / elapsed,
        loadgenCores: ownCpuSeconds(ownSince) / elapsed,
      };
      steps.push(step);
      log(`  ${rate} msg/s: ${Math.round(step.deliveredPerSecond)} delivered/s, p50 ${step.p50.toFixed(1)} ms, p99 ${step.p99.toFixed(1)} ms, lost ${step.lost}, dup ${step.duplicates}, cpu ${step.systemCores.toFixed(2)} + loadgen ${step.loadgenCores.toFixed(2)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (step.p99 > SATURATED_P99_MS || step.lost > 0) {
        log(`  saturated (p99 over ${SATURATED_P99_MS} ms, or losses): higher rates skipped`);
        break;
      }
    }
  } finally {
    for (const connection of [...publishers, ...connections]) await connection.close().catch(() => undefined);
  }
  return steps;
}

/**
 * Waits for the system to go quiet after the subscribers connected (joins,
 * catch-ups, presence announcements), so the first rate measures steady
 * fan-out rather than the connection storm: until it uses under a fifth of
 * a core over half a second, for at most 30 s (how long it took is logged).
 */
async function settle(pids: () => number[], log: (line: string) => void): Promise<void> {
  const started = performance.now();
  for (;;) {
    const meter = cpuMeter(pids);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cores = meter() / 0.5;
    if (cores < 0.2 || performance.now() - started > 30_000) {
      log(`  settled in ${Math.round(performance.now() - started)} ms (system at ${cores.toFixed(2)} cores)`);
      return;
    }
  }
}
