import { jetstream, jetstreamManager, type Consumer } from '@nats-io/jetstream';
import { Codec, type CommandOutcome } from '@parley/contracts';
import type { ParleyCommand } from '@parley/domain';
import { connectNats, createLogger, provision, type NatsConnection } from '@parley/platform';
import { isolatedEnv, type TestEnv } from '@parley/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aggregates } from './aggregates.ts';
import { EventLog } from '@parley/event-store';
import { CommandProcessor } from './handler.ts';
import { Stores } from './stores.ts';

const codec = new Codec();

/** Stores whose next outcome write fails, as if the handler died right after appending. */
class CrashingStores extends Stores {
  crashes = 0;

  static async wrap(stores: Stores): Promise<CrashingStores> {
    return new CrashingStores(stores.outcomes, stores.inflights, stores.invites);
  }

  override async saveOutcome(userId: string, commandId: string, bytes: Uint8Array): Promise<void> {
    if (this.crashes > 0) {
      this.crashes--;
      throw new Error('simulated crash between append and outcome');
    }
    return super.saveOutcome(userId, commandId, bytes);
  }
}

// Promise 1: a command whose event was appended but whose outcome was never
// stored is answered, on redelivery, with that same event, not decided again.
// Promise 6 across instances: a second handler's change to a guild is seen
// before a message command is decided.
describe('command handler recovery and instances', () => {
  let env: TestEnv;
  let nc: NatsConnection;
  let consumer: Consumer;
  let processor: CommandProcessor;
  /** A second handler instance with caches of its own. */
  let other: CommandProcessor;
  let stores: CrashingStores;
  const outcomes: CommandOutcome[] = [];

  /** Publishes a command as a gateway would (msgId = user:command, or another to get past the log's dedup) and handles it. */
  async function run(
    userId: string,
    commandId: string,
    command: ParleyCommand,
    deliveries = 1,
    msgID = `${userId}:${commandId}`,
    by: CommandProcessor = processor,
  ): Promise<CommandOutcome> {
    const replyTo = env.names.outcomeSubject('test');
    await jetstream(nc).publish(env.names.commandSubject(null), codec.encodeCommand({ commandId, userId, time: Date.now(), replyTo }, command), {
      msgID,
    });
    for (let i = 0; i < deliveries; i++) {
      const message = await consumer.next({ expires: 5000 });
      if (!message) throw new Error('no command delivered');
      await by.handle(message);
    }
    await nc.flush();
    const outcome = outcomes.find((o) => o.commandId === commandId);
    if (!outcome) throw new Error(`no outcome for ${commandId}`);
    return outcome;
  }

  beforeAll(async () => {
    env = await isolatedEnv();
    nc = await connectNats(env.natsUrl, 'recovery-test');
    await provision(nc, env.names);
    stores = await CrashingStores.wrap(await Stores.open(nc, env.names));
    const eventLog = await EventLog.open(nc, env.names.eventStream);
    processor = new CommandProcessor({
      nc,
      names: env.names,
      codec,
      eventLog,
      aggregates: new Aggregates(eventLog, codec),
      stores,
      logger: createLogger('recovery-test', 'error'),
    });
    other = new CommandProcessor({
      nc,
      names: env.names,
      codec,
      eventLog,
      aggregates: new Aggregates(eventLog, codec),
      stores: await Stores.open(nc, env.names),
      logger: createLogger('recovery-test-other', 'error'),
    });
    consumer = await jetstream(nc).consumers.get(env.names.commandStream, env.names.commandConsumer);
    nc.subscribe(env.names.outcomeSubject('test'), {
      callback: (_e, m) => {
        outcomes.push(codec.decodeOutcome(m.data));
      },
    });
  });

  afterAll(async () => {
    await nc?.close();
    await env?.cleanup();
  });

  it('answers a redelivered JoinGuild with the event it already appended, and appends nothing more', async () => {
    const guild = await run('alice', 'create-guild-1', { type: 'CreateGuild', data: { name: 'Recover' } });
    if (guild.status !== 'accepted') throw new Error('guild not created');
    const { guildId, channelId } = codec.decodeEvent(guild.event).event.data as { guildId: string; channelId: string };
    const invite = await run('alice', 'create-invite-1', { type: 'CreateInvite', data: { guildId, channelId, maxUses: 1, maxAgeSeconds: null } });
    if (invite.status !== 'accepted') throw new Error('invite not created');
    const { code } = codec.decodeEvent(invite.event).event.data as { code: string };

    stores.crashes = 1;
    const joined = await run('bob', 'join-1', { type: 'JoinGuild', data: { code } }, 2);
    expect(joined).toMatchObject({ status: 'accepted', eventType: 'MemberJoined' });

    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(env.names.eventStream);
    expect(info.state.messages).toBe(3); // GuildCreated, InviteCreated, one MemberJoined
    const last = await jsm.streams.getMessage(env.names.eventStream, { last_by_subj: env.names.guildSubject(guildId) });
    expect(joined.status === 'accepted' && joined.seq).toBe(last!.seq);

    // Retried after the log's dedup window, the stored outcome comes back unchanged.
    outcomes.length = 0;
    const again = await run('bob', 'join-1', { type: 'JoinGuild', data: { code } }, 1, 'bob:join-1:after-the-window');
    expect(again).toEqual(joined);
    expect((await jsm.streams.info(env.names.eventStream)).state.messages).toBe(3);
  });

  it("refuses a message from a user another instance has just kicked, though this instance's cache still has them", async () => {
    const guild = await run('alice', 'kick-guild-1', { type: 'CreateGuild', data: { name: 'Two handlers' } });
    if (guild.status !== 'accepted') throw new Error('guild not created');
    const { guildId, channelId } = codec.decodeEvent(guild.event).event.data as { guildId: string; channelId: string };
    const invite = await run('alice', 'kick-invite-1', { type: 'CreateInvite', data: { guildId, channelId, maxUses: null, maxAgeSeconds: null } });
    if (invite.status !== 'accepted') throw new Error('invite not created');
    const { code } = codec.decodeEvent(invite.event).event.data as { code: string };
    await run('bob', 'kick-join-1', { type: 'JoinGuild', data: { code } });
    const post = (id: string) => ({ type: 'PostMessage' as const, data: { guildId, channelId, content: id, nonce: null, replyTo: null, attachments: [] } });
    expect(await run('bob', 'kick-post-1', post('before'))).toMatchObject({ status: 'accepted' });

    expect(await run('alice', 'kick-kick-1', { type: 'KickMember', data: { guildId, userId: 'bob' } }, 1, 'alice:kick-kick-1', other)).toMatchObject({ status: 'accepted' });
    expect(await run('bob', 'kick-post-2', post('after'))).toMatchObject({ status: 'rejected', code: 'guild.not_member' });
  });
});
