import { createLogger } from '@parley/platform';
import { apiGet, eventually, isolatedEnv, startSystem, TestClient, type TestEnv, type TestSystem } from '@parley/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCommandHandler, type CommandHandlerApp } from './app.ts';

describe('command handler', () => {
  let env: TestEnv;
  let system: TestSystem;
  let owner: TestClient;
  let ownerToken: string;
  const clients: TestClient[] = [];
  const extraHandlers: CommandHandlerApp[] = [];

  beforeAll(async () => {
    env = await isolatedEnv();
    system = await startSystem(env, { gateways: 2 });
    ownerToken = await env.token('owner');
    owner = await TestClient.connect(system.wsUrl(0), ownerToken);
    clients.push(owner);
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    for (const handler of extraHandlers) await handler.stop();
    await system?.stop();
    await env?.cleanup();
  });

  async function guildWithChannel() {
    const guild = await owner.accepted('CreateGuild', { name: 'Busy' });
    return { guildId: guild.data['guildId'] as string, channelId: guild.data['channelId'] as string };
  }

  it('admits exactly max-uses members when 20 join with one invite at once', async () => {
    const { guildId, channelId } = await guildWithChannel();
    const invite = await owner.accepted('CreateInvite', { guildId, channelId, maxUses: 3, maxAgeSeconds: null });
    const joiners = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const client = await TestClient.connect(system.wsUrl(i % 2), await env.token(`joiner${i}`));
        clients.push(client);
        return client;
      }),
    );
    const outcomes = await Promise.all(joiners.map((client) => client.command('JoinGuild', { code: invite.data['code'] })));
    const accepted = outcomes.filter((o) => o['status'] === 'accepted');
    const rejected = outcomes.filter((o) => o['status'] === 'rejected');
    expect(accepted).toHaveLength(3);
    expect(rejected).toHaveLength(17);
    for (const outcome of rejected) expect(outcome['code']).toBe('invite.used_up');
    const members = await eventually(async () => {
      const res = await apiGet(system.apiUrl, `/v1/guilds/${guildId}/members`, ownerToken);
      return res.body.data?.length === 4 ? res.body.data : undefined;
    }, 5000, 'members projection');
    expect(members).toHaveLength(4);
  });

  it('carries partial updates through the log: absent keeps, null clears, a value sets', async () => {
    const { guildId, channelId } = await guildWithChannel();
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16)]);
    const uploaded = await fetch(`${system.apiUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'image/png' }, body: png });
    const icon = ((await uploaded.json()) as { id: string }).id;
    const set = await owner.accepted('UpdateGuild', { guildId, description: 'about rust', iconId: icon });
    expect(set.data).toMatchObject({ name: 'Busy', description: 'about rust', iconId: icon });
    const renamed = await owner.accepted('UpdateGuild', { guildId, name: 'Busier' });
    expect(renamed.data).toMatchObject({ name: 'Busier', description: 'about rust', iconId: icon });
    const cleared = await owner.accepted('UpdateGuild', { guildId, iconId: null, description: '  ' });
    expect(cleared.data).toMatchObject({ name: 'Busier', description: null, iconId: null });
    const topic = await owner.accepted('UpdateChannel', { guildId, channelId, topic: 'be kind' });
    expect(topic.data).toMatchObject({ name: 'general', topic: 'be kind' });
    expect((await owner.accepted('UpdateChannel', { guildId, channelId, name: 'lobby' })).data).toMatchObject({ name: 'lobby', topic: 'be kind' });
  });

  it('keeps one gap-free chain per channel when two handler instances compete for the same commands', async () => {
    const { guildId, channelId } = await guildWithChannel();
    extraHandlers.push(await startCommandHandler(env, createLogger('second-handler', 'warn')));
    // Fire 40 posts (within the per-connection burst) without waiting: both instances take commands from the shared durable consumer
    // and race on the channel subject; expect.lastSubjectSequence turns each race into a retry.
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => owner.command('PostMessage', { guildId, channelId, content: `race ${i}` })),
    );
    expect(outcomes.filter((o) => o['status'] !== 'accepted')).toEqual([]);
    const events = outcomes
      .map((o) => o['event'] as { cursor: number; prev: number })
      .sort((a, b) => a.cursor - b.cursor);
    expect(events[0]!.prev).toBe(0);
    for (let i = 1; i < events.length; i++) expect(events[i]!.prev).toBe(events[i - 1]!.cursor);
    const history = await eventually(async () => {
      const res = await apiGet(system.apiUrl, `/v1/channels/${channelId}/messages?limit=100`, ownerToken);
      return res.body.data?.length === 40 ? res.body.data : undefined;
    }, 5000, 'history of the race');
    expect(new Set(history.map((m: { content: string }) => m.content)).size).toBe(40);
  });
});
