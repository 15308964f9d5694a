import { Migration } from '@mikro-orm/migrations';

/** Where each user has read up to in each channel (from their own stream's ChannelRead events). */
export class Migration004ReadStates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table read_states (
      user_id text not null, channel_id text not null, guild_id text not null,
      message_id text not null, message_cursor bigint not null, updated_seq bigint not null,
      primary key (user_id, channel_id))`);
    this.addSql(`create index read_states_user_guild_index on read_states (user_id, guild_id)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists read_states`);
  }
}
