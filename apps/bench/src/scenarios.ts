import type { Shape } from './fanout.ts';

export type Mode = {
  reps: number;
  shapes: Shape[];
  /** Stepped publish rates (messages per second, all rooms together) for a shape. */
  rates: (shape: Shape) => number[];
  stepMs: number;
  /** S3 closed-loop client counts. */
  clients: number[];
};

/**
 * quick: one small shape at gentle rates, one repetition; a smoke check
 * that every target delivers every message. full: the S2 shapes of the
 * issue, rates stepped up to 100k deliveries per second (each target stops
 * at its saturation), three repetitions (the report takes medians).
 */
export const MODES: Record<'quick' | 'full', Mode> = {
  quick: {
    reps: 1,
    shapes: [{ rooms: 10, subscribers: 10 }],
    rates: () => [100, 400],
    stepMs: 3000,
    clients: [1, 10],
  },
  full: {
    reps: 3,
    shapes: [
      { rooms: 1, subscribers: 1000 },
      { rooms: 100, subscribers: 10 },
      { rooms: 1000, subscribers: 2 },
    ],
    // Deliveries per second from 5k to 100k, and for the shapes where that means many messages, 50 and
    // 150 messages per second too (around Parley's command path today), so every system gets a point.
    rates: (shape) =>
      [...new Set([50, 150, ...[5_000, 20_000, 50_000, 100_000].map((deliveries) => Math.max(5, Math.round(deliveries / shape.subscribers)))])].sort((a, b) => a - b),
    stepMs: 5000,
    clients: [1, 10, 100],
  },
};
