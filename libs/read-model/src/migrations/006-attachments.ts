import { Migration } from '@mikro-orm/migrations';

/** Messages carry the ids of their attachments (uploads), in order. */
export class Migration006Attachments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table messages add column attachments text[] not null default '{}'`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table messages drop column attachments`);
  }
}
