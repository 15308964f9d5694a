import { EntitySchema } from '@mikro-orm/core';
import { seq } from './columns.ts';

/**
 * Read models: disposable views of the event log, rebuilt by projectors.
 * Every row records the event log sequence that last shaped it, so a reader
 * can tell which cursor a row reflects.
 */
export interface GuildRow {
  id: string;
  name: string;
  description: string | null;
  iconId: string | null;
  defaultChannelId: string;
  ownerId: string;
  memberCount: number;
  /** A deleted guild keeps its rows; every query treats it as gone. */
  deleted: boolean;
  createdSeq: number;
  createdAt: Date;
  /** The last event of this guild's stream applied to its rows: an event at or below it is a replay. */
  lastSeq: number;
}
export const Guild = new EntitySchema<GuildRow>({
  name: 'Guild',
  tableName: 'guilds',
  properties: {
    id: { type: 'string', primary: true },
    name: { type: 'string' },
    description: { type: 'text', nullable: true },
    iconId: { type: 'string', nullable: true },
    defaultChannelId: { type: 'string' },
    ownerId: { type: 'string' },
    memberCount: { type: 'integer' },
    deleted: { type: 'boolean' },
    createdSeq: seq(),
    createdAt: { type: 'Date' },
    lastSeq: seq(),
  },
});

export interface CategoryRow { id: string; guildId: string; name: string; position: number }
export const Category = new EntitySchema<CategoryRow>({
  name: 'Category',
  tableName: 'categories',
  properties: {
    id: { type: 'string', primary: true },
    guildId: { type: 'string', index: true },
    name: { type: 'string' },
    position: { type: 'integer' },
  },
});

export interface ChannelRow {
  id: string;
  guildId: string;
  categoryId: string | null;
  name: string;
  topic: string | null;
  /** Index in its category's order (or among channels outside any category), from 0. */
  position: number;
  createdSeq: number;
}
export const Channel = new EntitySchema<ChannelRow>({
  name: 'Channel',
  tableName: 'channels',
  properties: {
    id: { type: 'string', primary: true },
    guildId: { type: 'string', index: true },
    categoryId: { type: 'string', nullable: true },
    name: { type: 'string' },
    topic: { type: 'text', nullable: true },
    position: { type: 'integer' },
    createdSeq: seq(),
  },
});

export interface MemberRow { guildId: string; userId: string; nickname: string | null; joinedAt: Date; joinedSeq: number }
export const Member = new EntitySchema<MemberRow>({
  name: 'Member',
  tableName: 'members',
  properties: {
    guildId: { type: 'string', primary: true },
    userId: { type: 'string', primary: true, index: true },
    nickname: { type: 'string', nullable: true },
    joinedAt: { type: 'Date' },
    joinedSeq: seq(),
  },
});

export interface InviteRow {
  code: string;
  guildId: string;
  channelId: string;
  createdBy: string;
  maxUses: number | null;
  expiresAt: Date | null;
  uses: number;
  revoked: boolean;
  createdSeq: number;
}
export const Invite = new EntitySchema<InviteRow>({
  name: 'Invite',
  tableName: 'invites',
  properties: {
    code: { type: 'string', primary: true },
    guildId: { type: 'string', index: true },
    channelId: { type: 'string' },
    createdBy: { type: 'string' },
    maxUses: { type: 'integer', nullable: true },
    expiresAt: { type: 'Date', nullable: true },
    uses: { type: 'integer' },
    revoked: { type: 'boolean' },
    createdSeq: seq(),
  },
});

/** One row per projection: the last event log sequence whose effects are committed. */
export interface CheckpointRow { projection: string; position: number; updatedAt: Date }
export const Checkpoint = new EntitySchema<CheckpointRow>({
  name: 'Checkpoint',
  tableName: 'projection_checkpoints',
  properties: {
    projection: { type: 'string', primary: true },
    position: seq(),
    updatedAt: { type: 'Date' },
  },
});
