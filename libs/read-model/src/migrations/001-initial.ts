import { Migration } from '@mikro-orm/migrations';

/** The first read models: guilds, categories, channels, members, invites, messages, checkpoints. */
export class Migration001Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table guilds (
      id text primary key, name text not null, owner_id text not null,
      member_count integer not null default 0, created_seq bigint not null, created_at timestamptz not null)`);
    this.addSql(`create table categories (
      id text primary key, guild_id text not null, name text not null, position integer not null)`);
    this.addSql(`create index categories_guild_id_index on categories (guild_id)`);
    this.addSql(`create table channels (
      id text primary key, guild_id text not null, category_id text null, name text not null,
      position integer not null, created_seq bigint not null)`);
    this.addSql(`create index channels_guild_id_index on channels (guild_id)`);
    this.addSql(`create table members (
      guild_id text not null, user_id text not null, joined_at timestamptz not null, joined_seq bigint not null,
      primary key (guild_id, user_id))`);
    this.addSql(`create index members_user_id_index on members (user_id)`);
    this.addSql(`create table invites (
      code text primary key, guild_id text not null, channel_id text not null, created_by text not null,
      max_uses integer null, expires_at timestamptz null, uses integer not null default 0, created_seq bigint not null)`);
    this.addSql(`create index invites_guild_id_index on invites (guild_id)`);
    this.addSql(`create table messages (
      seq bigint primary key, id text not null unique, guild_id text not null, channel_id text not null,
      author_id text not null, content text not null, created_at timestamptz not null)`);
    // Keyset pages of one channel's history, newest first, walk this index only.
    this.addSql(`create index messages_channel_id_seq_index on messages (channel_id, seq)`);
    this.addSql(`create table projection_checkpoints (
      projection text primary key, position bigint not null, updated_at timestamptz not null)`);
  }

  override async down(): Promise<void> {
    for (const table of ['projection_checkpoints', 'messages', 'invites', 'members', 'channels', 'categories', 'guilds']) {
      this.addSql(`drop table if exists ${table}`);
    }
  }
}
