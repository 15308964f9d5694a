import { Category, Channel, ChannelOverwrite } from '@parley/read-model';
import { currentOrder, writeOrder } from './order.ts';
import type { RowWriters } from './rows.ts';

type ChannelEvent =
  | 'CategoryCreated'
  | 'CategoryRenamed'
  | 'CategoryDeleted'
  | 'CategoriesReordered'
  | 'ChannelCreated'
  | 'ChannelUpdated'
  | 'ChannelMoved'
  | 'ChannelDeleted'
  | 'ChannelOverwriteSet'
  | 'ChannelOverwriteRemoved';
const CATEGORIES = { table: 'categories' } as const;

export const channelRows: RowWriters<ChannelEvent> = {
  /** New categories go last. */
  async CategoryCreated(em, { guildId, categoryId, name }) {
    await em.insert(Category, { id: categoryId, guildId, name, position: await em.count(Category, { guildId }) });
  },
  async CategoryRenamed(em, { categoryId, name }) {
    await em.nativeUpdate(Category, { id: categoryId }, { name });
  },
  /** The domain only deletes empty categories, so no channel points at it afterwards. */
  async CategoryDeleted(em, { guildId, categoryId }) {
    await em.nativeDelete(Category, { id: categoryId });
    await writeOrder(em, CATEGORIES, guildId, await currentOrder(em, CATEGORIES, guildId));
  },
  CategoriesReordered: (em, { guildId, categoryIds }) => writeOrder(em, CATEGORIES, guildId, categoryIds),
  async ChannelCreated(em, { guildId, channelId, name, categoryId, position }, { seq }) {
    await em.insert(Channel, { id: channelId, guildId, categoryId, name, topic: null, position, createdSeq: seq });
  },
  async ChannelUpdated(em, { channelId, name, topic }) {
    await em.nativeUpdate(Channel, { id: channelId }, { name, topic });
  },
  /** Both orders are in the event; within one category they are the same list. */
  async ChannelMoved(em, { guildId, channelId, categoryId, channelIds, fromCategoryId, fromChannelIds }) {
    await em.nativeUpdate(Channel, { id: channelId }, { categoryId });
    await writeOrder(em, { table: 'channels', categoryId: fromCategoryId }, guildId, fromChannelIds);
    await writeOrder(em, { table: 'channels', categoryId }, guildId, channelIds);
  },
  /** The channels after it in its category move up one, as in the domain's order. Its invites stay. */
  async ChannelDeleted(em, { guildId, channelId }) {
    const [deleted] = await em.execute<{ category_id: string | null }[]>('delete from channels where id = ? returning category_id', [channelId]);
    await em.nativeDelete(ChannelOverwrite, { channelId });
    if (!deleted) return;
    const scope = { table: 'channels', categoryId: deleted.category_id } as const;
    await writeOrder(em, scope, guildId, await currentOrder(em, scope, guildId));
  },
  async ChannelOverwriteSet(em, { guildId, channelId, targetType, targetId, allow, deny }) {
    await em.nativeDelete(ChannelOverwrite, { channelId, targetType, targetId });
    await em.insert(ChannelOverwrite, { channelId, guildId, targetType, targetId, allow, deny });
  },
  async ChannelOverwriteRemoved(em, { channelId, targetType, targetId }) {
    await em.nativeDelete(ChannelOverwrite, { channelId, targetType, targetId });
  },
};
