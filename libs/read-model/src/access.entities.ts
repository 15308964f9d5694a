import { EntitySchema } from '@mikro-orm/core';
import { seq } from './columns.ts';

/**
 * What decides who may see and do what in a guild: roles, who holds them,
 * bans and per-channel overwrites. Permissions are the domain's bitsets
 * (PERMISSIONS in @parley/domain), stored as they are.
 */

/** @everyone has the guild's id and position 0; other roles 1..n, lowest first. */
export interface RoleRow { id: string; guildId: string; name: string; permissions: number; position: number }
export const Role = new EntitySchema<RoleRow>({
  name: 'Role',
  tableName: 'roles',
  properties: {
    id: { type: 'string', primary: true },
    guildId: { type: 'string' },
    name: { type: 'string' },
    permissions: { type: 'integer' },
    position: { type: 'integer' },
  },
});

/** Roles held by members; @everyone is implicit and never listed. */
export interface MemberRoleRow { guildId: string; userId: string; roleId: string }
export const MemberRole = new EntitySchema<MemberRoleRow>({
  name: 'MemberRole',
  tableName: 'member_roles',
  properties: {
    guildId: { type: 'string', primary: true },
    userId: { type: 'string', primary: true },
    roleId: { type: 'string', primary: true },
  },
});

export interface BanRow { guildId: string; userId: string; bannedBy: string; reason: string | null; bannedSeq: number; bannedAt: Date }
export const Ban = new EntitySchema<BanRow>({
  name: 'Ban',
  tableName: 'bans',
  properties: {
    guildId: { type: 'string', primary: true },
    userId: { type: 'string', primary: true },
    bannedBy: { type: 'string' },
    reason: { type: 'text', nullable: true },
    bannedSeq: seq(),
    bannedAt: { type: 'Date' },
  },
});

export type OverwriteTargetType = 'role' | 'member';
export interface ChannelOverwriteRow { channelId: string; guildId: string; targetType: OverwriteTargetType; targetId: string; allow: number; deny: number }
export const ChannelOverwrite = new EntitySchema<ChannelOverwriteRow>({
  name: 'ChannelOverwrite',
  tableName: 'channel_overwrites',
  properties: {
    channelId: { type: 'string', primary: true },
    guildId: { type: 'string' },
    targetType: { type: 'string', primary: true },
    targetId: { type: 'string', primary: true },
    allow: { type: 'integer' },
    deny: { type: 'integer' },
  },
});
