import { DEFAULT_CATEGORY_NAME, DEFAULT_CHANNEL_NAME, DEFAULT_EVERYONE_PERMISSIONS } from '@parley/domain';
import { Category, Channel, Guild, Invite, Member, Role } from '@parley/read-model';
import type { RowWriters } from './rows.ts';

type GuildAdminEvent = 'GuildCreated' | 'GuildUpdated' | 'GuildDeleted' | 'OwnershipTransferred' | 'InviteCreated' | 'InviteRevoked';

export const guildRows: RowWriters<GuildAdminEvent> = {
  /** The guild as the domain creates it: @everyone, the default category and channel, the owner as first member. */
  async GuildCreated(em, { guildId, name, ownerId, categoryId, channelId }, { seq, time }) {
    await em.insert(Guild, {
      id: guildId,
      name,
      description: null,
      iconId: null,
      defaultChannelId: channelId,
      ownerId,
      memberCount: 1,
      deleted: false,
      createdSeq: seq,
      createdAt: time,
      lastSeq: seq,
    });
    await em.insert(Role, { id: guildId, guildId, name: '@everyone', permissions: DEFAULT_EVERYONE_PERMISSIONS, position: 0 });
    await em.insert(Category, { id: categoryId, guildId, name: DEFAULT_CATEGORY_NAME, position: 0 });
    await em.insert(Channel, { id: channelId, guildId, categoryId, name: DEFAULT_CHANNEL_NAME, topic: null, position: 0, createdSeq: seq });
    await em.insert(Member, { guildId, userId: ownerId, nickname: null, joinedAt: time, joinedSeq: seq });
  },
  async GuildUpdated(em, { guildId, name, description, iconId, defaultChannelId }) {
    await em.nativeUpdate(Guild, { id: guildId }, { name, description, iconId, defaultChannelId });
  },
  /** The rows stay (a deleted guild's history is still the log's); every query treats the guild as gone. */
  async GuildDeleted(em, { guildId }) {
    await em.nativeUpdate(Guild, { id: guildId }, { deleted: true });
  },
  async OwnershipTransferred(em, { guildId, newOwnerId }) {
    await em.nativeUpdate(Guild, { id: guildId }, { ownerId: newOwnerId });
  },
  async InviteCreated(em, { code, guildId, channelId, createdBy, maxUses, expiresAt }, { seq }) {
    const expires = expiresAt === null ? null : new Date(expiresAt);
    await em.insert(Invite, { code, guildId, channelId, createdBy, maxUses, expiresAt: expires, uses: 0, revoked: false, createdSeq: seq });
  },
  async InviteRevoked(em, { code }) {
    await em.nativeUpdate(Invite, { code }, { revoked: true });
  },
};
