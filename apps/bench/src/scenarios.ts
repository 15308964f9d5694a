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
 * issue, rates stepped until deliveries per second pass ~50k, three
 * repetitions (the report takes medians).
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
    rates: (shape) => [5_000, 20_000, 50_000, 100_000].map((deliveries) => Math.max(10, Math.round(deliveries / shape.subscribers))),
    stepMs: 5000,
    clients: [1, 10, 100],
  },
};
