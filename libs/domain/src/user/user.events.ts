/**
 * Events of one user's own stream (`<ns>.evt.<userId>.u`): the account, the
 * profile, sessions, and where the user has read up to. Delivered to that
 * user's sessions only.
 */
type U<T extends string, D> = { type: T; data: { userId: string } & D };

export type AccountRegistered = U<'AccountRegistered', { handle: string; displayName: string; email: string }>;
/** Full new values; bio and avatar may be null. */
export type ProfileUpdated = U<'ProfileUpdated', { displayName: string; bio: string | null; avatarId: string | null }>;
export type AccountDeleted = U<'AccountDeleted', { deletedAt: number }>;
/** Sessions issued before `at` stop working; one session when `sessionId` is set, else all. */
export type SessionsRevoked = U<'SessionsRevoked', { sessionId: string | null; at: number }>;
export type ChannelRead = U<'ChannelRead', { guildId: string; channelId: string; messageId: string; messageCursor: number }>;

export type UserEvent = AccountRegistered | ProfileUpdated | AccountDeleted | SessionsRevoked | ChannelRead;

export const USER_EVENT_TYPES: readonly UserEvent['type'][] = ['AccountRegistered', 'ProfileUpdated', 'AccountDeleted', 'SessionsRevoked', 'ChannelRead'];

/** What account commands are decided against. */
export type UserState = { exists: boolean; deleted: boolean; handle: string; displayName: string; bio: string | null; avatarId: string | null };

export const initialUserState = (): UserState => ({ exists: false, deleted: false, handle: '', displayName: '', bio: null, avatarId: null });

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'AccountRegistered':
      return { ...state, exists: true, handle: event.data.handle, displayName: event.data.displayName };
    case 'ProfileUpdated':
      return { ...state, displayName: event.data.displayName, bio: event.data.bio, avatarId: event.data.avatarId };
    case 'AccountDeleted':
      return { ...state, deleted: true };
    case 'SessionsRevoked':
    case 'ChannelRead':
      return state;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
