import type { GuildState } from '../guild/guild.state.ts';
import type { Mentions } from './message.events.ts';

const USER = /<@([A-Za-z0-9_-]{1,64})>/g;
const ROLE = /<@&([A-Za-z0-9_-]{1,64})>/g;

/**
 * Mentions as the server reads them: `<@userId>` of current members,
 * `<@&roleId>` of existing roles, and `@everyone`. Anything else in the
 * content is text; each id counts once, in order of first appearance.
 */
export function parseMentions(content: string, state: GuildState): Mentions {
  const unique = (ids: Iterable<string>) => [...new Set(ids)];
  return {
    mentionedUserIds: unique([...content.matchAll(USER)].map((m) => m[1]!).filter((id) => state.members.has(id))),
    mentionedRoleIds: unique([...content.matchAll(ROLE)].map((m) => m[1]!).filter((id) => state.roles.has(id) && id !== state.guildId)),
    mentionsEveryone: /(^|[^\w<])@everyone\b/.test(content),
  };
}
