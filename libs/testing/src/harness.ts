import { afterAll, beforeAll } from 'vitest';
import { isolatedEnv, type TestEnv } from './isolated-env.ts';
import { startSystem, type TestSystem } from './system.ts';
import { TestClient } from './ws-client.ts';

export type Harness = {
  readonly env: TestEnv;
  readonly system: TestSystem;
  /** A client of `userId` on gateway `node`, once its `ready` has arrived; closed after the file. */
  connect(userId: string, node?: number): Promise<TestClient>;
};

/**
 * The whole system for one test file: started in its own namespace and
 * database before the file's tests, stopped after them with every client it
 * connected.
 */
export function useSystem(options: Parameters<typeof startSystem>[1] = {}): Harness {
  let env: TestEnv | undefined;
  let system: TestSystem | undefined;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    env = await isolatedEnv();
    system = await startSystem(env, options);
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await system?.stop();
    await env?.cleanup();
  });
  return {
    get env() {
      return env!;
    },
    get system() {
      return system!;
    },
    async connect(userId, node = 0) {
      const client = await TestClient.connect(system!.wsUrl(node), await env!.token(userId));
      clients.push(client);
      await client.waitFor((f) => f.op === 'ready', 15_000, `ready for ${userId}`);
      return client;
    },
  };
}
