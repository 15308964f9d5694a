import { isId, type StreamRef } from '@parley/domain';

/**
 * Every NATS stream, subject, consumer and bucket name of one Parley
 * installation derives from its namespace, so test runs, tenants and
 * environments share servers without seeing each other. Subjects are built
 * only from ids that passed ID_PATTERN (promise 7: no wildcard smuggling).
 *
 *   <ns>.cmd.<guildId|new>            command log (stream <NS>_COMMANDS)
 *   <ns>.evt.<guildId>.g              a guild's own events (stream <NS>_EVENTS)
 *   <ns>.evt.<guildId>.c.<channelId>  one channel's messages
 *   <ns>.evt.<userId>.u               one user's own stream (account, sessions, read markers)
 *   <ns>.live.…                       the same, republished by the server after storing, with the sequence
 *   <ns>.outcome.<nodeId>             outcomes for the gateway node that sent the command
 *   <ns>.eph.<guildId>                ephemeral signals (typing, presence), core NATS only
 */
export const NAMESPACE_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

export type Names = ReturnType<typeof names>;

export function names(namespace: string) {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new Error(`namespace must match ${NAMESPACE_PATTERN.source}, got ${JSON.stringify(namespace)}`);
  }
  const ns = namespace;
  const upper = ns.toUpperCase();
  const id = (value: string, what: string) => {
    if (!isId(value)) throw new Error(`refusing to build a subject from an invalid ${what}`);
    return value;
  };
  return {
    namespace: ns,
    commandStream: `${upper}_COMMANDS`,
    eventStream: `${upper}_EVENTS`,
    commandsAll: `${ns}.cmd.>`,
    eventsAll: `${ns}.evt.>`,
    liveAll: `${ns}.live.>`,
    commandSubject: (guildId: string | null) => `${ns}.cmd.${guildId === null ? 'new' : id(guildId, 'guild id')}`,
    guildSubject: (guildId: string) => `${ns}.evt.${id(guildId, 'guild id')}.g`,
    channelSubject: (guildId: string, channelId: string) =>
      `${ns}.evt.${id(guildId, 'guild id')}.c.${id(channelId, 'channel id')}`,
    /** A user's own stream: account, profile, sessions, read markers. */
    userSubject: (userId: string) => `${ns}.evt.${id(userId, 'user id')}.u`,
    liveUser: (userId: string) => `${ns}.live.${id(userId, 'user id')}.u`,
    /** The event log subject of a stream. */
    streamSubject(stream: StreamRef): string {
      switch (stream.kind) {
        case 'guild':
          return this.guildSubject(stream.guildId);
        case 'channel':
          return this.channelSubject(stream.guildId, stream.channelId);
        case 'user':
          return this.userSubject(stream.userId);
      }
    },
    /** Everything one guild's log holds: its own events and all its channels' messages. */
    guildEvents: (guildId: string) => `${ns}.evt.${id(guildId, 'guild id')}.>`,
    /** Everything live about one guild: its own events and all its channels' messages. */
    liveGuild: (guildId: string) => `${ns}.live.${id(guildId, 'guild id')}.>`,
    outcomeSubject: (nodeId: string) => `${ns}.outcome.${id(nodeId, 'node id')}`,
    /** Ephemeral signals about one guild (typing, presence), core NATS only, never in the log. */
    ephemeralGuild: (guildId: string) => `${ns}.eph.${id(guildId, 'guild id')}`,
    commandConsumer: 'command-handler',
    projectorConsumer: (projection: string) => `projector-${id(projection, 'projection name')}`,
    outcomeBucket: `${ns}_outcomes`,
    inflightBucket: `${ns}_inflight`,
    inviteBucket: `${ns}_invites`,
    presenceBucket: `${ns}_presence`,
    /** Object store of avatars, guild icons and attachments. */
    uploadBucket: `${ns}_uploads`,
    /** `h.<handle>` -> credentials (user id, password hash), which makes handles unique; `u.<userId>` -> handle. */
    credentialBucket: `${ns}_credentials`,
    /** Sessions (`t.<sha256(refresh token)>`) and revocations (`rs.<sessionId>`, `ru.<userId>`); entries expire with refresh tokens. */
    sessionBucket: `${ns}_sessions`,
  };
}
