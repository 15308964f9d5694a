import { Kvm, type KV } from '@nats-io/kv';
import type { Names, NatsConnection } from '@parley/platform';

/**
 * Two small NATS KV buckets beside the logs:
 * - outcomes: `<userId>.<commandId>` -> encoded CommandOutcome, with a TTL. A
 *   retried command id gets the stored outcome back, whatever the gap since
 *   the first try (within the TTL), and nothing is decided twice.
 * - invites: invite code -> guild id, so JoinGuild (which knows only the
 *   code) can be routed to its guild's aggregate. Written before the
 *   InviteCreated append; an entry whose append failed points at a guild
 *   that does not know the code, and the decider rejects it.
 */
export class Stores {
  private constructor(readonly outcomes: KV, readonly invites: KV) {}

  static async open(nc: NatsConnection, names: Names): Promise<Stores> {
    const kvm = new Kvm(nc);
    return new Stores(await kvm.open(names.outcomeBucket), await kvm.open(names.inviteBucket));
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

  async guildOfInvite(code: string): Promise<string | null> {
    const entry = await this.invites.get(code);
    return entry && entry.operation === 'PUT' ? entry.string() : null;
  }

  async saveInvite(code: string, guildId: string): Promise<void> {
    await this.invites.put(code, guildId);
  }
}
