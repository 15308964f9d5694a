import { DEFAULT_CATEGORY_NAME, DEFAULT_CHANNEL_NAME } from '@parley/domain';
import { Category, Channel, Guild, Invite, Member, PROJECTIONS, type EntityManager } from '@parley/read-model';
import type { Envelope, Projection } from './projection.ts';

/** guilds, categories, channels, members and invites, from each guild's own stream. */
export const guildsProjection: Projection = {
  name: PROJECTIONS.guilds,
  subjects: 'evt.*.g',
  async apply(em, batch) {
    for (const envelope of batch) await applyOne(em, envelope);
  },
};

async function applyOne(em: EntityManager, { seq, meta, event }: Envelope): Promise<void> {
  const at = new Date(meta.time);
  switch (event.type) {
    case 'GuildCreated': {
      const { guildId, name, ownerId, categoryId, channelId } = event.data;
      await em.insert(Guild, { id: guildId, name, ownerId, memberCount: 1, createdSeq: seq, createdAt: at });
      await em.insert(Category, { id: categoryId, guildId, name: DEFAULT_CATEGORY_NAME, position: 0 });
      await em.insert(Channel, { id: channelId, guildId, categoryId, name: DEFAULT_CHANNEL_NAME, position: 0, createdSeq: seq });
      await em.insert(Member, { guildId, userId: ownerId, joinedAt: at, joinedSeq: seq });
      return;
    }
    case 'ChannelCreated': {
      const { guildId, channelId, name, categoryId, position } = event.data;
      await em.insert(Channel, { id: channelId, guildId, categoryId, name, position, createdSeq: seq });
      return;
    }
    case 'InviteCreated': {
      const { code, guildId, channelId, createdBy, maxUses, expiresAt } = event.data;
      await em.insert(Invite, {
        code,
        guildId,
        channelId,
        createdBy,
        maxUses,
        expiresAt: expiresAt === null ? null : new Date(expiresAt),
        uses: 0,
        createdSeq: seq,
      });
      return;
    }
    case 'MemberJoined': {
      const { guildId, userId, inviteCode } = event.data;
      await em.insert(Member, { guildId, userId, joinedAt: at, joinedSeq: seq });
      await em.execute('update guilds set member_count = member_count + 1 where id = ?', [guildId]);
      if (inviteCode !== null) await em.execute('update invites set uses = uses + 1 where code = ?', [inviteCode]);
      return;
    }
    case 'MessagePosted':
      return; // channel streams are not on this projection's subjects
    default: {
      const exhaustive: never = event;
      throw new Error(`unhandled event ${JSON.stringify(exhaustive)}`);
    }
  }
}
