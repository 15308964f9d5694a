import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { runCommands, jetStreamAckLatency } from './commands.ts';
import { runFanout } from './fanout.ts';
import { pidsNamed } from './measure.ts';
import { NATS_URL } from './peers/shared.ts';
import { renderReport, type Results } from './report.ts';
import { MODES, type Mode } from './scenarios.ts';
import { REPO } from './targets/processes.ts';
import { INFRA, makeTarget, TARGETS, type TargetName } from './targets/index.ts';

/**
 * `npm run bench` (full) or `npm run bench -- --quick` (about a minute, a
 * smoke check: it fails when a benchmark is broken, lost or duplicated a
 * message, never because a number is slow). Options: `--only=parley,ws-hub`,
 * `--reps=N`, `--out=<dir>`.
 */
const args = new Map(process.argv.slice(2).map((arg) => [arg.replace(/^--/, '').split('=')[0]!, arg.split('=')[1] ?? 'true']));
const known = new Set(['quick', 'only', 'reps', 'out']);
for (const key of args.keys()) if (!known.has(key)) throw new Error(`unknown option --${key}; known: ${[...known].map((k) => `--${k}`).join(', ')}`);
const modeName = args.has('quick') ? 'quick' : 'full';
const mode: Mode = { ...MODES[modeName], reps: Number(args.get('reps') ?? MODES[modeName].reps) };
const only = (args.get('only')?.split(',') ?? TARGETS) as TargetName[];
for (const name of only) if (!TARGETS.includes(name)) throw new Error(`unknown target ${name}; known: ${TARGETS.join(', ')}`);
const out = args.get('out') ?? (modeName === 'quick' ? join(REPO, '.parley/bench') : join(REPO, 'docs/benchmarks'));
const natsUrl = NATS_URL;
const postgresUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const results: Results = {
  mode: modeName,
  command: `npm run bench${modeName === 'quick' ? ' -- --quick' : ''}${args.has('only') ? ` --only=${args.get('only')}` : ''}`,
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  started: new Date().toISOString(),
  reps: mode.reps,
  shapes: mode.shapes,
  runs: [],
  floor: null,
};

for (let rep = 0; rep < mode.reps; rep++) {
  // A/B/A/B: each repetition runs every target, in alternating order, so drift hits all alike.
  const order = rep % 2 === 0 ? only : [...only].reverse();
  for (const name of order) {
    log(`rep ${rep + 1}/${mode.reps}: ${name}`);
    const target = makeTarget(name, { natsUrl, postgresUrl });
    const infra = () => pidsNamed(INFRA[name]);
    try {
      await target.setup(Math.max(...mode.shapes.map((shape) => shape.rooms)));
      const fanout = [];
      for (const [i, shape] of mode.shapes.entries()) {
        log(` S2 fan-out ${shape.rooms} x ${shape.subscribers}`);
        fanout.push({ shape, steps: await runFanout(target, shape, (i + 1) * 100_000, mode.rates(shape), mode.stepMs, infra, log) });
      }
      log(' S3 command to outcome');
      const commands = await runCommands(target, mode.clients, mode.stepMs, infra, log);
      results.runs.push({ rep, target: name, durable: target.durable, fanout, commands });
    } finally {
      await target.stop();
    }
  }
}
log('S3 floor: JetStream publish ack, one client');
results.floor = { jetStreamAck: await jetStreamAckLatency(natsUrl, mode.stepMs) };

mkdirSync(out, { recursive: true });
writeFileSync(join(out, `results-${modeName}.json`), `${JSON.stringify(results, null, 2)}\n`);
const report = renderReport(results, out);
writeFileSync(join(out, modeName === 'quick' ? 'quick.md' : '../benchmarks.md'), report.markdown);
log(`wrote ${join(out, `results-${modeName}.json`)} and the report`);

// Broken, not slow: the quick run's rates sit far below every system's capacity, so a message lost,
// duplicated or refused there means a broken benchmark or system; in a full run it is a result.
const broken = results.runs.flatMap((run) => run.fanout.flatMap(({ steps }) => steps.filter((s) => s.lost > 0 || s.duplicates > 0 || s.failed > 0).map((s) => `${run.target} at ${s.rate} msg/s: lost ${s.lost}, duplicated ${s.duplicates}, failed ${s.failed}`)));
if (broken.length > 0) console.error(`runs with losses:\n${broken.join('\n')}`);
process.exit(modeName === 'quick' && broken.length > 0 ? 1 : 0);
