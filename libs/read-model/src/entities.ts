import { BigIntType, EntitySchema } from '@mikro-orm/core';

/**
 * Read models: disposable views of the event log, rebuilt by projectors.
 * Every row records the event log sequence that last shaped it, so a reader
 * can tell which cursor a row reflects.
 */
const seq = () => ({ type: new BigIntType('number') });

export interface GuildRow { id: string; name: string; ownerId: string; memberCount: number; createdSeq: number; createdAt: Date }
export const Guild = new EntitySchema<GuildRow>({
  name: 'Guild',
  tableName: 'guilds',
  properties: {
    id: { type: 'string', primary: true },
    name: { type: 'string' },
    ownerId: { type: 'string' },
    memberCount: { type: 'integer' },
    createdSeq: seq(),
    createdAt: { type: 'Date' },
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

export interface ChannelRow { id: string; guildId: string; categoryId: string | null; name: string; position: number; createdSeq: number }
export const Channel = new EntitySchema<ChannelRow>({
  name: 'Channel',
  tableName: 'channels',
  properties: {
    id: { type: 'string', primary: true },
    guildId: { type: 'string', index: true },
    categoryId: { type: 'string', nullable: true },
    name: { type: 'string' },
    position: { type: 'integer' },
    createdSeq: seq(),
  },
});

export interface MemberRow { guildId: string; userId: string; joinedAt: Date; joinedSeq: number }
export const Member = new EntitySchema<MemberRow>({
  name: 'Member',
  tableName: 'members',
  properties: {
    guildId: { type: 'string', primary: true },
    userId: { type: 'string', primary: true, index: true },
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
    createdSeq: seq(),
  },
});

/** Message history. The event log sequence is the key: it orders a channel's history and is the page cursor. */
export interface MessageRow { seq: number; id: string; guildId: string; channelId: string; authorId: string; content: string; createdAt: Date }
export const Message = new EntitySchema<MessageRow>({
  name: 'Message',
  tableName: 'messages',
  properties: {
    seq: { ...seq(), primary: true, autoincrement: false },
    id: { type: 'string', unique: true },
    guildId: { type: 'string' },
    channelId: { type: 'string' },
    authorId: { type: 'string' },
    content: { type: 'text' },
    createdAt: { type: 'Date' },
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

export const ENTITIES = [Guild, Category, Channel, Member, Invite, Message, Checkpoint];
