/**
 * A token bucket: `rate` tokens a second, up to `burst`. `take` answers how
 * long to wait before a token is there (0: taken now).
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt = Date.now();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Takes a token if one is there and returns 0; otherwise returns the milliseconds until one is. */
  take(now = Date.now()): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}

/** Buckets shared by every socket of a key (a user) on this node, dropped when the last socket goes. */
export class SharedBuckets {
  private readonly buckets = new Map<string, { bucket: TokenBucket; holders: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  hold(key: string): TokenBucket {
    const entry = this.buckets.get(key) ?? { bucket: new TokenBucket(this.rate, this.burst), holders: 0 };
    entry.holders += 1;
    this.buckets.set(key, entry);
    return entry.bucket;
  }

  release(key: string): void {
    const entry = this.buckets.get(key);
    if (entry && --entry.holders <= 0) this.buckets.delete(key);
  }
}

/** Runs steps one after another, in the order they were queued; a failed step does not stop the next. */
export class Serial {
  constructor(private tail: Promise<unknown> = Promise.resolve()) {}

  run<T>(step: () => Promise<T>): Promise<T> {
    const next = this.tail.then(step);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** At most `size` holders at once; the others wait in arrival order. */
export class Semaphore {
  private readonly waiting: (() => void)[] = [];
  private held = 0;

  constructor(private readonly size: number) {}

  async with<T>(work: () => Promise<T>): Promise<T> {
    if (this.held >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.held += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.held -= 1;
    }
  }
}
