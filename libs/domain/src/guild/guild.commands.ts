import { invalid } from '../errors.ts';
import { assertId, isId } from '../ids.ts';
import {
  readChoice,
  readClearableText,
  readIdList,
  readInteger,
  readName,
  readOptionalCount,
  readOptionalName,
  readOptionalString,
  type Change,
  type Fields,
} from '../input.ts';
import { ALL_PERMISSIONS } from './permissions.ts';

export const LIMITS = {
  guildName: 100,
  description: 1000,
  channelName: 100,
  topic: 1024,
  roleName: 100,
  nickname: 32,
  banReason: 512,
  inviteMaxUses: 1000,
  inviteMaxAgeSeconds: 7 * 24 * 3600,
  channelsPerCategory: 50,
  channelsPerGuild: 500,
  categoriesPerGuild: 50,
  rolesPerGuild: 250,
} as const;

type C<T extends string, D> = { type: T; data: D };
type InGuild<D = unknown> = { guildId: string } & D;
export type OverwriteTarget = 'role' | 'member';

export type CreateGuild = C<'CreateGuild', { name: string }>;
/** A null field stays as it is; a Change sets or (to: null) clears it. */
export type UpdateGuild = C<
  'UpdateGuild',
  InGuild<{ name: string | null; description: Change<string | null>; iconId: Change<string | null>; defaultChannelId: string | null }>
>;
export type DeleteGuild = C<'DeleteGuild', InGuild>;
export type TransferOwnership = C<'TransferOwnership', InGuild<{ userId: string }>>;
export type JoinGuild = C<'JoinGuild', { code: string }>;
export type LeaveGuild = C<'LeaveGuild', InGuild>;
export type KickMember = C<'KickMember', InGuild<{ userId: string }>>;
export type BanMember = C<'BanMember', InGuild<{ userId: string; reason: string | null }>>;
export type UnbanMember = C<'UnbanMember', InGuild<{ userId: string }>>;
export type SetNickname = C<'SetNickname', InGuild<{ userId: string; nickname: string | null }>>;
export type CreateRole = C<'CreateRole', InGuild<{ name: string; permissions: number }>>;
export type UpdateRole = C<'UpdateRole', InGuild<{ roleId: string; name: string | null; permissions: number | null }>>;
export type DeleteRole = C<'DeleteRole', InGuild<{ roleId: string }>>;
export type ReorderRoles = C<'ReorderRoles', InGuild<{ roleIds: string[] }>>;
export type AssignRole = C<'AssignRole', InGuild<{ roleId: string; userId: string }>>;
export type RemoveRole = C<'RemoveRole', InGuild<{ roleId: string; userId: string }>>;
export type CreateCategory = C<'CreateCategory', InGuild<{ name: string }>>;
export type RenameCategory = C<'RenameCategory', InGuild<{ categoryId: string; name: string }>>;
export type DeleteCategory = C<'DeleteCategory', InGuild<{ categoryId: string }>>;
export type ReorderCategories = C<'ReorderCategories', InGuild<{ categoryIds: string[] }>>;
export type CreateChannel = C<'CreateChannel', InGuild<{ name: string; categoryId: string | null }>>;
export type UpdateChannel = C<'UpdateChannel', InGuild<{ channelId: string; name: string | null; topic: Change<string | null> }>>;
export type MoveChannel = C<'MoveChannel', InGuild<{ channelId: string; categoryId: string | null; position: number }>>;
export type DeleteChannel = C<'DeleteChannel', InGuild<{ channelId: string }>>;
export type SetChannelOverwrite = C<
  'SetChannelOverwrite',
  InGuild<{ channelId: string; targetType: OverwriteTarget; targetId: string; allow: number; deny: number }>
>;
export type RemoveChannelOverwrite = C<'RemoveChannelOverwrite', InGuild<{ channelId: string; targetType: OverwriteTarget; targetId: string }>>;
export type CreateInvite = C<'CreateInvite', InGuild<{ channelId: string; maxUses: number | null; maxAgeSeconds: number | null }>>;
export type RevokeInvite = C<'RevokeInvite', InGuild<{ code: string }>>;

export type GuildCommand =
  | CreateGuild | UpdateGuild | DeleteGuild | TransferOwnership
  | JoinGuild | LeaveGuild | KickMember | BanMember | UnbanMember | SetNickname
  | CreateRole | UpdateRole | DeleteRole | ReorderRoles | AssignRole | RemoveRole
  | CreateCategory | RenameCategory | DeleteCategory | ReorderCategories
  | CreateChannel | UpdateChannel | MoveChannel | DeleteChannel | SetChannelOverwrite | RemoveChannelOverwrite
  | CreateInvite | RevokeInvite;
type GuildCommandType = GuildCommand['type'];
type DataOf<T extends GuildCommandType> = Extract<GuildCommand, { type: T }>['data'];

export const INVITE_CODE_PATTERN = /^[A-Za-z0-9]{6,32}$/;

const id = (f: Fields, key: string) => assertId(f[key], key);
const nullableId = (f: Fields, key: string) => (f[key] === null || f[key] === undefined ? null : assertId(f[key], key));
const changeOfId = (f: Fields, key: string): Change<string | null> => (f[key] === undefined ? null : { to: nullableId(f, key) });
/** A permission bitset: every bit must be a known permission (ALL_PERMISSIONS is contiguous from bit 0). */
const permissions = (f: Fields, key: string) => readInteger(f, key, 0, ALL_PERMISSIONS);
const nothingToChange = () => invalid('input.nothing_to_change', 'name at least one field to change');
const target = (f: Fields) => readChoice(f, 'targetType', ['role', 'member'] as const);

/** Per command: its allowed fields and how to read them. Unknown fields are refused. */
export const GUILD_PARSERS: { [T in GuildCommandType]: [fields: string[], read: (f: Fields) => DataOf<T>] } = {
  CreateGuild: [['name'], (f) => ({ name: readName(f, 'name', LIMITS.guildName) })],
  UpdateGuild: [
    ['guildId', 'name', 'description', 'iconId', 'defaultChannelId'],
    (f) => {
      const data = {
        guildId: id(f, 'guildId'),
        name: readOptionalName(f, 'name', LIMITS.guildName),
        description: readClearableText(f, 'description', LIMITS.description),
        iconId: changeOfId(f, 'iconId'),
        defaultChannelId: nullableId(f, 'defaultChannelId'),
      };
      if (Object.values(data).filter((v) => v !== null).length === 1) throw nothingToChange();
      return data;
    },
  ],
  DeleteGuild: [['guildId'], (f) => ({ guildId: id(f, 'guildId') })],
  TransferOwnership: [['guildId', 'userId'], (f) => ({ guildId: id(f, 'guildId'), userId: id(f, 'userId') })],
  JoinGuild: [
    ['code'],
    (f) => {
      const code = readOptionalString(f, 'code', INVITE_CODE_PATTERN);
      if (code === null) throw invalid('input.missing', 'code is required');
      return { code };
    },
  ],
  LeaveGuild: [['guildId'], (f) => ({ guildId: id(f, 'guildId') })],
  KickMember: [['guildId', 'userId'], (f) => ({ guildId: id(f, 'guildId'), userId: id(f, 'userId') })],
  BanMember: [
    ['guildId', 'userId', 'reason'],
    (f) => ({ guildId: id(f, 'guildId'), userId: id(f, 'userId'), reason: readClearableText(f, 'reason', LIMITS.banReason)?.to ?? null }),
  ],
  UnbanMember: [['guildId', 'userId'], (f) => ({ guildId: id(f, 'guildId'), userId: id(f, 'userId') })],
  SetNickname: [
    ['guildId', 'userId', 'nickname'],
    (f) => ({ guildId: id(f, 'guildId'), userId: id(f, 'userId'), nickname: readClearableText(f, 'nickname', LIMITS.nickname)?.to ?? null }),
  ],
  CreateRole: [
    ['guildId', 'name', 'permissions'],
    (f) => ({ guildId: id(f, 'guildId'), name: readName(f, 'name', LIMITS.roleName), permissions: f['permissions'] === undefined ? 0 : permissions(f, 'permissions') }),
  ],
  UpdateRole: [
    ['guildId', 'roleId', 'name', 'permissions'],
    (f) => {
      const name = readOptionalName(f, 'name', LIMITS.roleName);
      const bits = f['permissions'] === undefined || f['permissions'] === null ? null : permissions(f, 'permissions');
      if (name === null && bits === null) throw nothingToChange();
      return { guildId: id(f, 'guildId'), roleId: id(f, 'roleId'), name, permissions: bits };
    },
  ],
  DeleteRole: [['guildId', 'roleId'], (f) => ({ guildId: id(f, 'guildId'), roleId: id(f, 'roleId') })],
  ReorderRoles: [['guildId', 'roleIds'], (f) => ({ guildId: id(f, 'guildId'), roleIds: readIdList(f, 'roleIds', LIMITS.rolesPerGuild, isId) })],
  AssignRole: [['guildId', 'roleId', 'userId'], (f) => ({ guildId: id(f, 'guildId'), roleId: id(f, 'roleId'), userId: id(f, 'userId') })],
  RemoveRole: [['guildId', 'roleId', 'userId'], (f) => ({ guildId: id(f, 'guildId'), roleId: id(f, 'roleId'), userId: id(f, 'userId') })],
  CreateCategory: [['guildId', 'name'], (f) => ({ guildId: id(f, 'guildId'), name: readName(f, 'name', LIMITS.channelName) })],
  RenameCategory: [
    ['guildId', 'categoryId', 'name'],
    (f) => ({ guildId: id(f, 'guildId'), categoryId: id(f, 'categoryId'), name: readName(f, 'name', LIMITS.channelName) }),
  ],
  DeleteCategory: [['guildId', 'categoryId'], (f) => ({ guildId: id(f, 'guildId'), categoryId: id(f, 'categoryId') })],
  ReorderCategories: [
    ['guildId', 'categoryIds'],
    (f) => ({ guildId: id(f, 'guildId'), categoryIds: readIdList(f, 'categoryIds', LIMITS.categoriesPerGuild, isId) }),
  ],
  CreateChannel: [
    ['guildId', 'name', 'categoryId'],
    (f) => ({ guildId: id(f, 'guildId'), name: readName(f, 'name', LIMITS.channelName), categoryId: nullableId(f, 'categoryId') }),
  ],
  UpdateChannel: [
    ['guildId', 'channelId', 'name', 'topic'],
    (f) => {
      const name = readOptionalName(f, 'name', LIMITS.channelName);
      const topic = readClearableText(f, 'topic', LIMITS.topic);
      if (name === null && topic === null) throw nothingToChange();
      return { guildId: id(f, 'guildId'), channelId: id(f, 'channelId'), name, topic };
    },
  ],
  MoveChannel: [
    ['guildId', 'channelId', 'categoryId', 'position'],
    (f) => ({
      guildId: id(f, 'guildId'),
      channelId: id(f, 'channelId'),
      categoryId: nullableId(f, 'categoryId'),
      position: readInteger(f, 'position', 0, LIMITS.channelsPerGuild),
    }),
  ],
  DeleteChannel: [['guildId', 'channelId'], (f) => ({ guildId: id(f, 'guildId'), channelId: id(f, 'channelId') })],
  SetChannelOverwrite: [
    ['guildId', 'channelId', 'targetType', 'targetId', 'allow', 'deny'],
    (f) => {
      const [allow, deny] = [permissions(f, 'allow'), permissions(f, 'deny')];
      if ((allow & deny) !== 0) throw invalid('input.conflicting_bits', 'a permission cannot be both allowed and denied');
      return { guildId: id(f, 'guildId'), channelId: id(f, 'channelId'), targetType: target(f), targetId: id(f, 'targetId'), allow, deny };
    },
  ],
  RemoveChannelOverwrite: [
    ['guildId', 'channelId', 'targetType', 'targetId'],
    (f) => ({ guildId: id(f, 'guildId'), channelId: id(f, 'channelId'), targetType: target(f), targetId: id(f, 'targetId') }),
  ],
  CreateInvite: [
    ['guildId', 'channelId', 'maxUses', 'maxAgeSeconds'],
    (f) => ({
      guildId: id(f, 'guildId'),
      channelId: id(f, 'channelId'),
      maxUses: readOptionalCount(f, 'maxUses', LIMITS.inviteMaxUses),
      maxAgeSeconds: readOptionalCount(f, 'maxAgeSeconds', LIMITS.inviteMaxAgeSeconds),
    }),
  ],
  RevokeInvite: [
    ['guildId', 'code'],
    (f) => {
      const code = readOptionalString(f, 'code', INVITE_CODE_PATTERN);
      if (code === null) throw invalid('input.missing', 'code is required');
      return { guildId: id(f, 'guildId'), code };
    },
  ],
};
