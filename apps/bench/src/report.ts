import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CommandStep } from './commands.ts';
import type { FanoutStep, Shape } from './fanout.ts';
import { median } from './measure.ts';
import { REPO } from './targets/processes.ts';

export type Run = { rep: number; target: string; durable: boolean; fanout: { shape: Shape; steps: FanoutStep[] }[]; commands: CommandStep[] };
export type Results = {
  mode: string;
  command: string;
  machine: { cpus: number; model: string; memoryGiB: number; node: string };
  started: string;
  reps: number;
  shapes: Shape[];
  runs: Run[];
  floor: { jetStreamAck: { p50: number; p99: number } } | null;
};

/** Latency bound of S2's headline number: the highest delivered rate at which p99 stays under it, with nothing lost. */
const P99_BOUND_MS = 100;
/** A run where the load generator used more than this share of a core measured the load generator too. */
const LOADGEN_BOUND = 0.9;

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
const key = (shape: Shape) => `${shape.rooms} x ${shape.subscribers}`;

/** The median over repetitions of each field of the steps at one rate. */
function medianSteps(runs: Run[], target: string, shape: Shape): (FanoutStep & { bound: boolean })[] {
  const series = runs.filter((r) => r.target === target).map((r) => r.fanout.find((f) => key(f.shape) === key(shape))?.steps ?? []);
  const rates = [...new Set(series.flat().map((s) => s.rate))];
  return rates.map((rate) => {
    const at = series.map((steps) => steps.find((s) => s.rate === rate)).filter((s): s is FanoutStep => s !== undefined);
    const m = (field: keyof FanoutStep) => median(at.map((s) => s[field]));
    const step = { rate, published: m('published'), failed: m('failed'), expected: m('expected'), delivered: m('delivered'), lost: Math.max(...at.map((s) => s.lost)), duplicates: Math.max(...at.map((s) => s.duplicates)), outOfOrder: Math.max(...at.map((s) => s.outOfOrder)), deliveredPerSecond: m('deliveredPerSecond'), p50: m('p50'), p99: m('p99'), max: m('max'), systemCores: m('systemCores'), loadgenCores: m('loadgenCores') };
    return { ...step, bound: step.loadgenCores > LOADGEN_BOUND };
  });
}

function best(steps: FanoutStep[]): number {
  return Math.max(0, ...steps.filter((s) => s.p99 < P99_BOUND_MS && s.lost === 0 && s.failed === 0).map((s) => s.deliveredPerSecond));
}

/** A horizontal bar chart as SVG text. */
function bars(title: string, unit: string, rows: { label: string; value: number }[]): string {
  const width = 640;
  const left = 150;
  const height = 40 + rows.length * 26;
  const top = Math.max(1, ...rows.map((r) => r.value));
  const items = rows
    .map((row, i) => {
      const y = 30 + i * 26;
      const w = ((width - left - 90) * row.value) / top;
      return `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${row.label}</text><rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="18" fill="#4c78a8"/><text x="${left + w + 6}" y="${y + 14}">${fmt(row.value)} ${unit}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12"><text x="8" y="18" font-weight="bold">${title}</text>${items}</svg>\n`;
}

/** Writes the SVG plots into `out` and returns the markdown report. */
export function renderReport(results: Results, out: string): { markdown: string } {
  const targets = [...new Set(results.runs.map((r) => r.target))];
  const lines: string[] = [];
  const link = (file: string) => relative(join(REPO, 'docs'), join(out, file));
  lines.push(`# Benchmarks (${results.mode})`, '');
  lines.push(`Measured ${results.started.slice(0, 16).replace('T', ' ')} UTC on ${results.machine.cpus} cores (${results.machine.model}), ${results.machine.memoryGiB} GiB, Node ${results.machine.node}; system under test and load generator on the same machine. Reproduce: \`${results.command}\`. Medians of ${results.reps} repetition(s), targets interleaved A/B/A/B. Raw numbers: [${link(`results-${results.mode}.json`)}](${link(`results-${results.mode}.json`)}).`, '');
  lines.push('Targets: **parley** (PostMessage command -> JetStream command log -> command handler -> event log -> two gateways; the projector and Postgres run too), **socketio-redis** (two Socket.IO 4 nodes, @socket.io/redis-adapter, RPUSH of every message to Redis before the emit), **ws-hub** (one plain `ws` process, no persistence), **uws-nats** (the ceiling: two raw uWebSockets.js nodes fed by core NATS, no persistence). One load generator (the `ws` client, speaking each peer\'s framing itself) for all. CPU is user+system seconds per wall second from /proc, of the target\'s processes plus the servers doing its work (parley: nats-server and postgres; socketio-redis: redis-server; uws-nats: nats-server).', '');

  lines.push('## S2: fan-out', '');
  lines.push(`Open-loop publishing at stepped rates (latency from each message's scheduled send time to its delivery), 150-byte messages, every delivery checked against its room's sequence. Headline: the highest delivered rate with p99 < ${P99_BOUND_MS} ms and nothing lost.`, '');
  for (const shape of results.shapes) {
    const rows = targets.map((target) => ({ label: target, value: best(medianSteps(results.runs, target, shape)) }));
    const file = `s2-${shape.rooms}x${shape.subscribers}.svg`;
    writeFileSync(join(out, file), bars(`S2 ${key(shape)}: delivered msg/s at p99 < ${P99_BOUND_MS} ms`, 'msg/s', rows));
    lines.push(`### ${shape.rooms} room(s) x ${shape.subscribers} subscribers`, '', `![S2 ${key(shape)}](${link(file)})`, '');
    const ratio = (a: string, b: string) => {
      const va = rows.find((r) => r.label === a)?.value ?? 0;
      const vb = rows.find((r) => r.label === b)?.value ?? 0;
      return vb > 0 ? `${fmt(va / vb, 2)}x` : '—';
    };
    lines.push(`parley / socketio-redis: **${ratio('parley', 'socketio-redis')}** (target >= 5x); parley / uws-nats ceiling: **${ratio('parley', 'uws-nats')}** (target >= 0.5x).`, '');
    lines.push('| target | rate msg/s | delivered/s | p50 ms | p99 ms | lost | dup | system cores | loadgen cores |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const target of targets) {
      for (const s of medianSteps(results.runs, target, shape)) {
        lines.push(`| ${target} | ${fmt(s.rate)} | ${fmt(s.deliveredPerSecond)} | ${fmt(s.p50, 1)} | ${fmt(s.p99, 1)} | ${s.lost} | ${s.duplicates} | ${fmt(s.systemCores, 2)} | ${fmt(s.loadgenCores, 2)}${s.bound ? ' (bound by the load generator)' : ''} |`);
      }
    }
    lines.push('');
  }

  lines.push('## S3: command to outcome', '');
  lines.push('Closed loop: each client sends its next message when the previous one is acknowledged (Parley: the outcome frame, after the event is in the log; Socket.IO: the emit ack, after the Redis RPUSH; ws-hub and uws-nats: an ack frame).', '');
  lines.push('| target | clients | commands/s | p50 ms | p99 ms | system cores |', '|---|---:|---:|---:|---:|---:|');
  const s3rows: { label: string; value: number }[] = [];
  for (const target of targets) {
    const series = results.runs.filter((r) => r.target === target).map((r) => r.commands);
    for (const clients of [...new Set(series.flat().map((c) => c.clients))]) {
      const at = series.map((steps) => steps.find((c) => c.clients === clients)).filter((c): c is CommandStep => c !== undefined);
      const m = (field: keyof CommandStep) => median(at.map((c) => c[field]));
      lines.push(`| ${target} | ${clients} | ${fmt(m('commandsPerSecond'))} | ${fmt(m('p50'), 2)} | ${fmt(m('p99'), 2)} | ${fmt(m('systemCores'), 2)} |`);
      if (clients === Math.max(...series.flat().map((c) => c.clients))) s3rows.push({ label: target, value: m('commandsPerSecond') });
    }
  }
  writeFileSync(join(out, 's3-commands.svg'), bars('S3: commands/s at the most clients', 'cmd/s', s3rows));
  lines.push('', `![S3](${link('s3-commands.svg')})`, '');
  if (results.floor) {
    const wsRtt = median(results.runs.filter((r) => r.target === 'ws-hub').map((r) => r.commands.find((c) => c.clients === 1)?.p50 ?? Number.NaN));
    const parleyP50 = median(results.runs.filter((r) => r.target === 'parley').map((r) => r.commands.find((c) => c.clients === 1)?.p50 ?? Number.NaN));
    const floor = results.floor.jetStreamAck.p50 + wsRtt;
    lines.push(`Floor for one client: a JetStream publish ack (p50 ${fmt(results.floor.jetStreamAck.p50, 2)} ms) plus one WebSocket round trip (ws-hub, p50 ${fmt(wsRtt, 2)} ms) = ${fmt(floor, 2)} ms; Parley's p50 is ${fmt(parleyP50 / floor, 2)}x that (target <= 2x).`, '');
  }

  lines.push('## Not measured yet', '', 'S1 (idle connections, RSS per connection), S4 (projector throughput), S5 (rebuild), S6 (history pages) and S7 (reconnect storm) are not in the suite yet.', '');
  lines.push('## What the numbers mean', '', 'Where Parley misses its targets, why (profiles, per-process CPU) and what to change: [benchmarks-analysis.md](benchmarks-analysis.md), written by hand from these runs.', '');
  return { markdown: `${lines.join('\n')}\n` };
}
