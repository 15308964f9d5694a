import { conflict, notFound } from '../errors.ts';
import type { CommandMeta } from '../guild/decision.ts';
import type { AccountCommand } from './account.commands.ts';
import type { UserEvent, UserState } from './user.events.ts';

/** Decides an account command against the acting user's own stream. */
export function decideAccount(command: AccountCommand, state: UserState, meta: CommandMeta): UserEvent {
  const userId = meta.actorId;
  if (command.type === 'RegisterAccount') {
    if (state.exists) throw conflict('account.exists', 'this account already exists');
    const { handle, displayName, email } = command.data;
    return { type: 'AccountRegistered', data: { userId, handle, displayName, email } };
  }
  // Sessions exist without a registered account (development tokens, an external identity provider).
  if (command.type === 'RevokeSessions') return { type: 'SessionsRevoked', data: { userId, sessionId: command.data.sessionId, at: meta.now } };
  if (!state.exists || state.deleted) throw notFound('account.not_found', 'no such account');
  switch (command.type) {
    case 'UpdateProfile': {
      const { displayName, bio, avatarId } = command.data;
      return {
        type: 'ProfileUpdated',
        data: { userId, displayName: displayName ?? state.displayName, bio: bio === null ? state.bio : bio.to, avatarId: avatarId === null ? state.avatarId : avatarId.to },
      };
    }
    case 'DeleteAccount':
      return { type: 'AccountDeleted', data: { userId, deletedAt: meta.now } };
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}
