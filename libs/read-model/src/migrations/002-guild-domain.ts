import { Migration } from '@mikro-orm/migrations';

/** The tables the guilds projection owns; 002 empties them so the projector rebuilds them. */
const GUILD_TABLES = ['guilds', 'categories', 'channels', 'members', 'invites', 'roles', 'member_roles', 'bans', 'channel_overwrites'];

/**
 * The whole guild domain: roles and their assignments, bans, channel
 * overwrites, and the new fields of guilds, channels, members and invites.
 *
 * Rows written before 002 lack what only the events know (the @everyone
 * role, `last_seq`), so they cannot be completed in place. Read models are
 * disposable: 002 empties the guilds projection and resets its checkpoint,
 * and the projector rebuilds it from sequence 1 (the event log keeps
 * everything). Readers see partial guild data until it has caught up.
 */
export class Migration002GuildDomain extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table roles (
      id text primary key, guild_id text not null, name text not null,
      permissions integer not null, position integer not null)`);
    // A guild's roles in hierarchy order (overviews, permission checks, renumbering).
    this.addSql(`create index roles_guild_id_position_index on roles (guild_id, position)`);
    this.addSql(`create table member_roles (
      guild_id text not null, user_id text not null, role_id text not null,
      primary key (guild_id, user_id, role_id))`);
    // Unassigning a deleted role from everyone who held it.
    this.addSql(`create index member_roles_role_id_index on member_roles (role_id)`);
    this.addSql(`create table bans (
      guild_id text not null, user_id text not null, banned_by text not null, reason text null,
      banned_seq bigint not null, banned_at timestamptz not null, primary key (guild_id, user_id))`);
    this.addSql(`create table channel_overwrites (
      channel_id text not null, guild_id text not null, target_type text not null check (target_type in ('role', 'member')),
      target_id text not null, allow integer not null, deny integer not null,
      primary key (channel_id, target_type, target_id))`);
    // Every overwrite of a guild at once (permission checks), and those of a deleted role.
    this.addSql(`create index channel_overwrites_guild_id_index on channel_overwrites (guild_id, target_type, target_id)`);

    this.addSql(`truncate ${GUILD_TABLES.join(', ')}`);
    this.addSql(`delete from projection_checkpoints where projection = 'guilds'`);
    this.addSql(`alter table guilds
      add column description text null, add column icon_id text null,
      add column default_channel_id text not null, add column deleted boolean not null default false,
      add column last_seq bigint not null`);
    this.addSql(`alter table channels add column topic text null`);
    this.addSql(`alter table members add column nickname text null`);
    this.addSql(`alter table invites add column revoked boolean not null default false`);
  }

  override async down(): Promise<void> {
    for (const table of ['channel_overwrites', 'bans', 'member_roles', 'roles']) this.addSql(`drop table if exists ${table}`);
    this.addSql(`alter table guilds drop column description, drop column icon_id, drop column default_channel_id,
      drop column deleted, drop column last_seq`);
    this.addSql(`alter table channels drop column topic`);
    this.addSql(`alter table members drop column nickname`);
    this.addSql(`alter table invites drop column revoked`);
  }
}
