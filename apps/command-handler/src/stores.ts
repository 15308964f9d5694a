import { Kvm, type KV } from '@nats-io/kv';
import type { Names, NatsConnection } from '@parley/platform';

/**
 * Two small NATS KV buckets beside the logs:
 * - outcomes: `<userId>.<commandId>` -> encoded CommandOutcome, with a TTL. A
 *   retried command id gets the stored outcome back, whatever the gap since
 *   the first try (within the TTL), and nothing is decided twice.
 * - inflight: `<userId>.<commandId>` -> the subject, expected sequence and
 *   event id of the append about to be tried. A redelivered command (the
 *   handler died around an append) checks whether that exact event landed,
 *   and if so answers with it instead of deciding again (promise 1).
 * - invites: invite code -> guild id, so JoinGuild (which knows only the
 *   code) can be routed to its guild's aggregate. Written before the
 *   InviteCreated append; an entry whose append failed points at a guild
 *   that does not know the code, and the decider rejects it.
 */
export type Inflight = { subject: string; expected: number; eventId: string };

export class Stores {
  protected constructor(readonly outcomes: KV, readonly inflights: KV, readonly invites: KV) {}

  static async open(nc: NatsConnection, names: Names): Promise<Stores> {
    const kvm = new Kvm(nc);
    return new Stores(await kvm.open(names.outcomeBucket), await kvm.open(names.inflightBucket), await kvm.open(names.inviteBucket));
  }

  static outcomeKey(userId: string, commandId: string): string {
    return `${userId}.${commandId}`;
  }

  async outcome(userId: string, commandId: string): Promise<Uint8Array | null> {
    const entry = await this.outcomes.get(Stores.outcomeKey(userId, commandId));
    return entry && entry.operation === 'PUT' ? entry.value : null;
  }

  async saveOutcome(userId: string, commandId: string, bytes: Uint8Array): Promise<void> {
    await this.outcomes.put(Stores.outcomeKey(userId, commandId), bytes);
  }

  async inflight(userId: string, commandId: string): Promise<Inflight | null> {
    const entry = await this.inflights.get(Stores.outcomeKey(userId, commandId));
    return entry && entry.operation === 'PUT' ? (entry.json() as Inflight) : null;
  }

  async markInflight(userId: string, commandId: string, inflight: Inflight): Promise<void> {
    await this.inflights.put(Stores.outcomeKey(userId, commandId), JSON.stringify(inflight));
  }

  async guildOfInvite(code: string): Promise<string | null> {
    const entry = await this.invites.get(code);
    return entry && entry.operation === 'PUT' ? entry.string() : null;
  }

  async saveInvite(code: string, guildId: string): Promise<void> {
    await this.invites.put(code, guildId);
  }
}
