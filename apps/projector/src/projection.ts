import type { EventMeta } from '@parley/contracts';
import type { ParleyEvent } from '@parley/domain';
import type { EntityManager } from '@parley/read-model';

/** One decoded event with its event log sequence (the cursor). */
export type Envelope = { seq: number; meta: EventMeta; event: ParleyEvent };

/**
 * A projection folds events into read-model rows. `apply` runs inside the
 * transaction that also advances the projection's checkpoint; it sees only
 * events after the checkpoint, in log order, so it need not be idempotent
 * by itself (though its inserts are keyed so a bug could not duplicate rows).
 */
export type Projection = {
  name: string;
  /** The event subjects this projection reads, relative to the namespace (e.g. `evt.*.g`). */
  subjects: string;
  apply(em: EntityManager, batch: readonly Envelope[]): Promise<void>;
};
