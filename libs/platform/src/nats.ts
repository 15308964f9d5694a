import { AckPolicy, DeliverPolicy, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Names } from './names.ts';

export type { NatsConnection };

export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({ servers: url, name, maxReconnectAttempts: -1 });
}

export type LogSettings = {
  /** How long JetStream remembers message ids for deduplication. */
  duplicateWindowMs: number;
  /** How long the command log keeps commands (an audit trail; outcomes outlive it in the outcome store). */
  commandMaxAgeMs: number;
  /** How long outcomes stay retrievable for retried command ids. */
  outcomeTtlMs: number;
};

/** How long a refresh token (a session) lives unless refreshed or revoked. */
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;

/** How long a presence entry lives without a heartbeat from its gateway. */
export const PRESENCE_TTL_MS = 60_000;

export const DEFAULT_LOG_SETTINGS: LogSettings = {
  duplicateWindowMs: 10 * 60_000,
  commandMaxAgeMs: 7 * 24 * 3600_000,
  outcomeTtlMs: 24 * 3600_000,
};

/**
 * Creates (or updates to the current settings) every stream, consumer and
 * bucket of a namespace. Idempotent: every process may call it at start-up.
 * The event log keeps everything (it is the source of truth) and republishes
 * each stored event, with its sequence in headers, on the live subjects the
 * gateways listen to: live pushes carry the same cursor as the log.
 */
export async function provision(nc: NatsConnection, n: Names, settings: LogSettings = DEFAULT_LOG_SETTINGS): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, {
    name: n.commandStream,
    subjects: [n.commandsAll],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(settings.commandMaxAgeMs),
    duplicate_window: nanos(settings.duplicateWindowMs),
  });
  await ensureStream(jsm, {
    name: n.eventStream,
    subjects: [n.eventsAll],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: nanos(settings.duplicateWindowMs),
    republish: { src: n.eventsAll, dest: n.liveAll },
    // Direct gets (next event on a subject after a sequence) answer from any replica.
    allow_direct: true,
  });
  const consumer = {
    durable_name: n.commandConsumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(30_000),
    max_ack_pending: 1024,
  };
  await jsm.consumers.add(n.commandStream, consumer).catch(async () => jsm.consumers.update(n.commandStream, n.commandConsumer, consumer));
  const kvm = new Kvm(nc);
  await kvm.create(n.outcomeBucket, { history: 1, ttl: settings.outcomeTtlMs, storage: StorageType.File });
  await kvm.create(n.inflightBucket, { history: 1, ttl: settings.outcomeTtlMs, storage: StorageType.File });
  await kvm.create(n.inviteBucket, { history: 1, storage: StorageType.File });
  await kvm.create(n.credentialBucket, { history: 1, storage: StorageType.File });
  await kvm.create(n.sessionBucket, { history: 1, ttl: REFRESH_TOKEN_TTL_MS, storage: StorageType.File });
  // Presence is memory-only and expires: a gateway that dies leaves no ghosts past the TTL.
  await kvm.create(n.presenceBucket, { history: 1, ttl: PRESENCE_TTL_MS, storage: StorageType.Memory });
  await new Objm(nc).create(n.uploadBucket, { storage: StorageType.File });
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, config);
  } catch (error) {
    if (!/stream not found/i.test((error as Error).message)) throw error;
    await jsm.streams.add(config);
  }
}

/** Deletes every stream and bucket of a namespace (test clean-up). */
export async function removeNamespace(nc: NatsConnection, n: Names): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const buckets = [n.outcomeBucket, n.inflightBucket, n.inviteBucket, n.presenceBucket, n.credentialBucket, n.sessionBucket];
  const streams = [n.commandStream, n.eventStream, ...buckets.map((bucket) => `KV_${bucket}`), `OBJ_${n.uploadBucket}`];
  for (const stream of streams) {
    await jsm.streams.delete(stream).catch(() => undefined);
  }
}
