import { Ban, Member, MemberRole, type EntityManager } from '@parley/read-model';
import { countMembers, type RowWriters } from './rows.ts';

type MemberEvent = 'MemberJoined' | 'MemberLeft' | 'MemberKicked' | 'MemberBanned' | 'MemberUnbanned' | 'NicknameChanged';

/**
 * A member who leaves loses their roles, as in the domain; their own
 * channel overwrites stay (the domain keeps them for a return).
 */
async function removeMember(em: EntityManager, guildId: string, userId: string): Promise<void> {
  const removed = await em.nativeDelete(Member, { guildId, userId });
  await em.nativeDelete(MemberRole, { guildId, userId });
  await countMembers(em, guildId, -removed);
}

export const memberRows: RowWriters<MemberEvent> = {
  async MemberJoined(em, { guildId, userId, inviteCode }, { seq, time }) {
    await em.insert(Member, { guildId, userId, nickname: null, joinedAt: time, joinedSeq: seq });
    await countMembers(em, guildId, 1);
    if (inviteCode !== null) await em.execute('update invites set uses = uses + 1 where code = ?', [inviteCode]);
  },
  MemberLeft: (em, { guildId, userId }) => removeMember(em, guildId, userId),
  MemberKicked: (em, { guildId, userId }) => removeMember(em, guildId, userId),
  /** A ban also applies to users who are not members (yet). */
  async MemberBanned(em, { guildId, userId, bannedBy, reason }, { seq, time }) {
    await removeMember(em, guildId, userId);
    await em.insert(Ban, { guildId, userId, bannedBy, reason, bannedSeq: seq, bannedAt: time });
  },
  async MemberUnbanned(em, { guildId, userId }) {
    await em.nativeDelete(Ban, { guildId, userId });
  },
  async NicknameChanged(em, { guildId, userId, nickname }) {
    await em.nativeUpdate(Member, { guildId, userId }, { nickname });
  },
};
