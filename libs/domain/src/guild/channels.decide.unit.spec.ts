import { describe, it } from 'vitest';
import { given } from '../testing/decider-specification.ts';
import { ev, G, meta, staffed, withMembers } from '../testing/guild-fixtures.ts';
import type { GuildEvent } from './guild.events.ts';
import { PERMISSIONS as P } from './permissions.ts';

const CH = P.manageChannels;

describe('categories', () => {
  it('creates, renames and reorders categories with manageChannels', () => {
    given(...staffed(CH)).when({ type: 'CreateCategory', data: { guildId: G, name: 'Voice-ish' } }, meta('bob')).then({ type: 'CategoryCreated', data: { guildId: G, categoryId: 'ID1', name: 'Voice-ish' } });
    given(...staffed(CH)).when({ type: 'RenameCategory', data: { guildId: G, categoryId: 'cat1', name: 'Text' } }, meta('bob')).then({ type: 'CategoryRenamed', data: { guildId: G, categoryId: 'cat1', name: 'Text' } });
    given(...staffed(CH), ev.category('cat2')).when({ type: 'ReorderCategories', data: { guildId: G, categoryIds: ['cat2', 'cat1'] } }, meta('bob')).then({ type: 'CategoriesReordered', data: { guildId: G, categoryIds: ['cat2', 'cat1'] } });
  });

  it('refuses without manageChannels, and unknown categories', () => {
    given(...staffed(0)).when({ type: 'CreateCategory', data: { guildId: G, name: 'x' } }, meta('bob')).thenRejects('permission.manageChannels', 403);
    given(...staffed(CH)).when({ type: 'RenameCategory', data: { guildId: G, categoryId: 'nope', name: 'x' } }, meta('bob')).thenRejects('category.not_found', 404);
  });

  it('deletes only an empty category', () => {
    given(...staffed(CH)).when({ type: 'DeleteCategory', data: { guildId: G, categoryId: 'cat1' } }, meta('bob')).thenRejects('category.not_empty', 409);
    given(...staffed(CH), ev.category('cat2')).when({ type: 'DeleteCategory', data: { guildId: G, categoryId: 'cat2' } }, meta('bob')).then({ type: 'CategoryDeleted', data: { guildId: G, categoryId: 'cat2' } });
  });
});

describe('CreateChannel', () => {
  const create = (categoryId: string | null) => ({ type: 'CreateChannel' as const, data: { guildId: G, name: 'random', categoryId } });

  it('appends the channel to its category, or to the uncategorized list', () => {
    given(...withMembers()).when(create('cat1'), meta('alice')).then({ type: 'ChannelCreated', data: { guildId: G, channelId: 'ID1', name: 'random', categoryId: 'cat1', position: 1 } });
    given(...withMembers()).when(create(null), meta('alice')).then({ type: 'ChannelCreated', data: { guildId: G, channelId: 'ID1', name: 'random', categoryId: null, position: 0 } });
  });

  it('holds at most 50 channels per category', () => {
    const full: GuildEvent[] = Array.from({ length: 49 }, (_, i) => ev.channel(`c${i}`, 'cat1', i + 1));
    given(...withMembers(), ...full).when(create('cat1'), meta('alice')).thenRejects('category.full', 409);
    given(...withMembers(), ...full.slice(1)).when(create('cat1'), meta('alice')).then({ type: 'ChannelCreated', data: { guildId: G, channelId: 'ID1', name: 'random', categoryId: 'cat1', position: 49 } });
  });

  it('refuses a category of another guild and members without manageChannels', () => {
    given(...withMembers()).when(create('theirs'), meta('alice')).thenRejects('category.not_found', 404);
    given(...withMembers()).when(create('cat1'), meta('bob')).thenRejects('permission.manageChannels', 403);
  });
});

describe('UpdateChannel, MoveChannel, DeleteChannel', () => {
  it('renames and sets or clears the topic', () => {
    const update = (name: string | null, topic: { to: string | null } | null) => ({ type: 'UpdateChannel' as const, data: { guildId: G, channelId: 'ch1', name, topic } });
    given(...withMembers()).when(update(null, { to: 'Rust only' }), meta('alice')).then({ type: 'ChannelUpdated', data: { guildId: G, channelId: 'ch1', name: 'general', topic: 'Rust only' } });
    given(...withMembers(), { type: 'ChannelUpdated', data: { guildId: G, channelId: 'ch1', name: 'general', topic: 'old' } })
      .when(update('lobby', { to: null }), meta('alice'))
      .then({ type: 'ChannelUpdated', data: { guildId: G, channelId: 'ch1', name: 'lobby', topic: null } });
  });

  it('reorders within a category and moves between categories with both orders in full', () => {
    const move = (channelId: string, categoryId: string | null, position: number) => ({ type: 'MoveChannel' as const, data: { guildId: G, channelId, categoryId, position } });
    const layout = [...withMembers(), ev.channel('ch2', 'cat1', 1), ev.channel('ch3', 'cat1', 2), ev.category('cat2')];
    given(...layout).when(move('ch3', 'cat1', 0), meta('alice')).then({
      type: 'ChannelMoved',
      data: { guildId: G, channelId: 'ch3', categoryId: 'cat1', channelIds: ['ch3', 'ch1', 'ch2'], fromCategoryId: 'cat1', fromChannelIds: ['ch3', 'ch1', 'ch2'] },
    });
    given(...layout).when(move('ch2', 'cat2', 0), meta('alice')).then({
      type: 'ChannelMoved',
      data: { guildId: G, channelId: 'ch2', categoryId: 'cat2', channelIds: ['ch2'], fromCategoryId: 'cat1', fromChannelIds: ['ch1', 'ch3'] },
    });
    given(...layout).when(move('ch2', 'cat2', 1), meta('alice')).thenRejects('input.out_of_range', 400);
    given(...layout).when(move('ch2', 'nope', 0), meta('alice')).thenRejects('category.not_found', 404);
  });

  it('deletes a channel but never the default one', () => {
    given(...withMembers(), ev.channel('ch2')).when({ type: 'DeleteChannel', data: { guildId: G, channelId: 'ch2' } }, meta('alice')).then({ type: 'ChannelDeleted', data: { guildId: G, channelId: 'ch2' } });
    given(...withMembers()).when({ type: 'DeleteChannel', data: { guildId: G, channelId: 'ch1' } }, meta('alice')).thenRejects('channel.is_default', 409);
  });

  it('uses channel-level manageChannels: an overwrite can grant or take it per channel', () => {
    const rename = { type: 'UpdateChannel' as const, data: { guildId: G, channelId: 'ch2', name: 'x', topic: null } };
    given(...staffed(0), ev.channel('ch2'), ev.overwrite('ch2', 'member', 'dave', CH, 0)).when(rename, meta('dave')).then({ type: 'ChannelUpdated', data: { guildId: G, channelId: 'ch2', name: 'x', topic: null } });
    given(...staffed(CH), ev.channel('ch2'), ev.overwrite('ch2', 'role', 'mod', 0, CH)).when(rename, meta('bob')).thenRejects('permission.manageChannels', 403);
  });
});

describe('channel overwrites', () => {
  const set = (targetType: 'role' | 'member', targetId: string, allow: number, deny: number) => ({ type: 'SetChannelOverwrite' as const, data: { guildId: G, channelId: 'ch1', targetType, targetId, allow, deny } });

  it('sets an overwrite for a role or a member with manageRoles, within held permissions', () => {
    given(...staffed(P.manageRoles | P.sendMessages | P.viewChannel)).when(set('role', G, 0, P.sendMessages), meta('bob')).then({
      type: 'ChannelOverwriteSet',
      data: { guildId: G, channelId: 'ch1', targetType: 'role', targetId: G, allow: 0, deny: P.sendMessages },
    });
    given(...staffed(P.manageRoles)).when(set('member', 'dave', P.banMembers, 0), meta('bob')).thenRejects('permission.not_held', 403);
    given(...staffed(0)).when(set('member', 'dave', 0, 0), meta('bob')).thenRejects('permission.manageRoles', 403);
  });

  it('refuses unknown targets and removes only existing overwrites', () => {
    given(...withMembers()).when(set('role', 'ghost', 0, 0), meta('alice')).thenRejects('role.not_found', 404);
    given(...withMembers()).when(set('member', 'zed', 0, 0), meta('alice')).thenRejects('member.not_found', 404);
    const remove = { type: 'RemoveChannelOverwrite' as const, data: { guildId: G, channelId: 'ch1', targetType: 'member' as const, targetId: 'bob' } };
    given(...withMembers()).when(remove, meta('alice')).thenRejects('overwrite.not_found', 404);
    given(...withMembers(), ev.overwrite('ch1', 'member', 'bob', 0, P.sendMessages)).when(remove, meta('alice')).then({ type: 'ChannelOverwriteRemoved', data: remove.data });
  });
});
