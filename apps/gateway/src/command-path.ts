import type { Codec, CommandOutcome } from '@parley/contracts';
import { DomainError, parseCommand, type ParleyCommand } from '@parley/domain';
import type { CommandRelay } from '@parley/event-store';
import type { Logger, UploadStore } from '@parley/platform';
import { errorFrame, eventPayload, FrameError } from './protocol.ts';
import type { Socket } from './socket.ts';

/** Events that put the acting user into a guild: the gateway starts watching it for them. */
const JOINING_EVENTS = new Set(['GuildCreated', 'MemberJoined']);

export type CommandPathDeps = {
  codec: Codec;
  relay: CommandRelay;
  uploads: UploadStore;
  /** Watches a guild for the socket from a cursor (the session's subscribe). */
  subscribe: (ws: Socket, guildId: string, after: number) => Promise<void>;
  logger: Logger;
};

/**
 * A command frame's way: parse (bad input answered at once, nothing
 * written), check the uploads it names, publish to the command log with the
 * client's id, and relay its outcome to the socket that sent it.
 */
export function createCommandPath(deps: CommandPathDeps) {
  const { logger } = deps;

  function parseCommandFrame(type: string, payload: unknown, id: string): ParleyCommand {
    try {
      return parseCommand(type, payload);
    } catch (error) {
      if (error instanceof DomainError) throw new FrameError(error.code, error.message, id);
      throw error;
    }
  }

  /**
   * Uploads a command names must be the sender's own (a guild icon an image
   * too); anything else is refused here, before the log. A command naming no
   * upload goes straight on; one naming uploads waits for its lookups, so a
   * later command from the same socket may reach the log first.
   */
  async function checkUploads(ws: Socket, commandId: string, command: ParleyCommand): Promise<void> {
    const data = ws.getUserData();
    const icon = command.type === 'UpdateGuild' ? command.data.iconId?.to : null;
    const attachments = command.type === 'PostMessage' ? command.data.attachments : [];
    if (icon || attachments.length > 0) {
      const owned = async (id: string) => (await deps.uploads.info(id))?.ownerId === data.userId;
      let usable: boolean[];
      try {
        usable = await Promise.all([icon ? deps.uploads.isOwnImage(icon, data.userId) : true, ...attachments.map(owned)]);
      } catch (error) {
        logger.warn({ err: error, commandId }, 'upload lookup failed');
        if (!data.closed) ws.send(errorFrame('upload.unavailable', 'uploads cannot be checked right now; retry with the same id', commandId));
        return;
      }
      if (!usable.every(Boolean)) {
        if (!data.closed) ws.send(errorFrame('upload.not_usable', 'iconId and attachments must name uploads of yours (an icon, an image)', commandId));
        return;
      }
    }
    if (!data.closed) sendCommand(ws, commandId, command);
  }

  function sendCommand(ws: Socket, commandId: string, command: ParleyCommand): void {
    const data = ws.getUserData();
    // Already in flight from this socket: its one outcome answers both frames (same id).
    if (data.pending.has(commandId)) return;
    // A failure here must not become an unhandled rejection (it would end the process and every socket on it).
    const onOutcome = (outcome: CommandOutcome) =>
      void relayOutcome(ws, outcome).catch((error: Error) => {
        logger.error({ err: error, commandId, userId: data.userId }, 'outcome not relayed');
        if (!data.closed) ws.send(errorFrame('internal.error', 'the outcome could not be delivered; retry with the same id', commandId));
      });
    data.pending.set(commandId, onOutcome);
    deps.relay.send(data.userId, commandId, command, onOutcome).catch((error: Error) => {
      data.pending.delete(commandId);
      deps.relay.forget(data.userId, commandId, onOutcome);
      logger.error({ err: error, commandId, userId: data.userId }, 'command publish failed');
      if (!data.closed) ws.send(errorFrame('command.unavailable', 'the command log is unavailable; retry with the same id', commandId));
    });
  }

  async function relayOutcome(ws: Socket, outcome: CommandOutcome): Promise<void> {
    const data = ws.getUserData();
    data.pending.delete(outcome.commandId);
    if (data.closed) return;
    if (outcome.status === 'rejected') {
      const { commandId: id, status, statusCode, code, message } = outcome;
      ws.send(JSON.stringify({ op: 'outcome', id, status, statusCode, code, message }));
      return;
    }
    const decoded = deps.codec.decodeEvent(outcome.event);
    const event = eventPayload(outcome.seq, decoded);
    ws.send(JSON.stringify({ op: 'outcome', id: outcome.commandId, status: 'accepted', cursor: outcome.seq, event }));
    // The user just entered a guild: watch it from the joining event on (what happened since is replayed).
    if (!JOINING_EVENTS.has(decoded.event.type) || !('guildId' in decoded.event.data)) return;
    const guildId = decoded.event.data.guildId;
    await deps.subscribe(ws, guildId, outcome.seq).catch((error: Error) => {
      logger.error({ err: error, guildId, userId: data.userId }, 'subscribe after joining failed');
      if (!data.closed) ws.send(errorFrame('internal.error', `watching guild ${guildId} failed; subscribe with after ${outcome.seq}`));
    });
  }

  return {
    /** Handles a command frame; throws a FrameError for bad input. */
    submit(ws: Socket, commandId: string, type: string, data: unknown): void {
      void checkUploads(ws, commandId, parseCommandFrame(type, data, commandId));
    },
  };
}
