/**
 * Events of one user's own stream (`<ns>.evt.<userId>.u`): what belongs to
 * the user rather than to a guild, such as where they have read up to.
 * Delivered to that user's sessions only.
 */
export type ChannelRead = {
  type: 'ChannelRead';
  data: { userId: string; guildId: string; channelId: string; messageId: string; messageCursor: number };
};

export type UserEvent = ChannelRead;

export const USER_EVENT_TYPES: readonly UserEvent['type'][] = ['ChannelRead'];

/** Nothing of a user's stream is needed to decide yet; the stream's version is what appends need. */
export type UserState = Record<string, never>;
export const initialUserState = (): UserState => ({});
export const evolveUser = (state: UserState, _event: UserEvent): UserState => state;
