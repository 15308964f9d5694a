import { Migration } from '@mikro-orm/migrations';

/** Accounts and profiles (from each user's own stream). The read-states projection becomes `users`. */
export class Migration005Users extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table users (
      id text primary key, handle text not null, display_name text not null, bio text null, avatar_id text null,
      deleted boolean not null default false, created_at timestamptz not null, updated_seq bigint not null)`);
    this.addSql(`create unique index users_handle_index on users (handle)`);
    // The projection that writes read_states is now called `users` and reads users' streams from the start.
    this.addSql(`delete from projection_checkpoints where projection = 'read-states'`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists users`);
  }
}
