import { ParleyTarget } from './parley.ts';
import { SocketIoTarget } from './socketio.ts';
import type { Target } from './target.ts';
import { UwsNatsTarget } from './uws-nats.ts';
import { WsHubTarget } from './ws-hub.ts';

export type { Connection, Publisher, Target } from './target.ts';

export const TARGETS = ['parley', 'socketio-redis', 'ws-hub', 'uws-nats'] as const;
export type TargetName = (typeof TARGETS)[number];

/** Shared servers whose CPU counts toward a target's (they do its work: the log, the read models, the adapter). */
export const INFRA: Record<TargetName, string[]> = {
  parley: ['nats-server', 'postgres'],
  'socketio-redis': ['redis-server'],
  'ws-hub': [],
  'uws-nats': ['nats-server'],
};

export function makeTarget(name: TargetName, env: { natsUrl: string; postgresUrl: string }): Target {
  const prefix = `bench${Date.now().toString(36)}`;
  switch (name) {
    case 'parley':
      return new ParleyTarget({ ...env, basePort: 19100 });
    case 'socketio-redis':
      return new SocketIoTarget({ basePort: 19200, prefix });
    case 'ws-hub':
      return new WsHubTarget({ basePort: 19300, prefix });
    case 'uws-nats':
      return new UwsNatsTarget({ basePort: 19400, prefix });
  }
}
