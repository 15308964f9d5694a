export { isolatedEnv, type TestEnv } from './isolated-env.ts';
export { startSystem, type TestSystem } from './system.ts';
export { apiGet, eventually, TestClient, type Frame } from './ws-client.ts';
export { useSystem, type Harness } from './harness.ts';
