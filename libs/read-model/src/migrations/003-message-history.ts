import { Migration } from '@mikro-orm/migrations';

/**
 * Message history beyond posting: replies, edits, tombstones of deleted
 * messages, pins, mentions and reactions.
 *
 * The history projection used to skip every message event but
 * MessagePosted, and its checkpoint has moved past the edits, deletions, pins
 * and reactions already in the log, so the rows cannot be completed in place.
 * As 002 did for guilds, 003 empties the history projection and resets its
 * checkpoint; the projector rebuilds it from sequence 1. Readers see partial
 * history until it has caught up.
 */
export class Migration003MessageHistory extends Migration {
  override async up(): Promise<void> {
    this.addSql(`truncate messages`);
    this.addSql(`delete from projection_checkpoints where projection = 'history'`);
    this.addSql(`alter table messages
      add column reply_to text null, add column edited_at timestamptz null,
      add column deleted boolean not null, add column pinned boolean not null,
      add column mentions_everyone boolean not null`);
    // A channel's pins, newest first: at most 50 rows per channel, so a partial index stays tiny.
    this.addSql(`create index messages_pinned_index on messages (channel_id, seq) where pinned`);

    // The primary key serves all three uses: a page's reactions grouped by message and emoji
    // (message_id prefix), one emoji's users paged by user id, and the delete of one reaction.
    this.addSql(`create table message_reactions (
      message_id text not null, emoji text not null, user_id text not null, seq bigint not null,
      primary key (message_id, emoji, user_id))`);

    // The primary key serves a page's mentions and their replacement on edit or delete (message_id prefix).
    this.addSql(`create table message_mentions (
      message_id text not null, kind text not null check (kind in ('user', 'role')), target_id text not null,
      position integer not null, channel_id text not null, seq bigint not null,
      primary key (message_id, kind, target_id))`);
    // Mention counts: one user's (or role's) mentions in a channel after a read position.
    this.addSql(`create index message_mentions_target_index on message_mentions (kind, target_id, channel_id, seq)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists message_mentions`);
    this.addSql(`drop table if exists message_reactions`);
    this.addSql(`drop index if exists messages_pinned_index`);
    this.addSql(`alter table messages drop column reply_to, drop column edited_at, drop column deleted,
      drop column pinned, drop column mentions_everyone`);
  }
}
