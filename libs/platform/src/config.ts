/**
 * Typed, fail-fast reading of environment variables. Only each app's main.ts
 * calls these (with process.env); everything else receives plain values.
 * Errors name the variable and what it must be.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

export function envString(env: Env, name: string, fallback?: string): string {
  const value = env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(`${name} is required`);
}

export function envInt(env: Env, name: string, fallback: number, range: { min: number; max: number }): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ConfigError(`${name} must be an integer from ${range.min} to ${range.max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function envList(env: Env, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Settings every Parley process shares. Defaults are the local development ones. */
export type CommonConfig = {
  natsUrl: string;
  databaseUrl: string;
  namespace: string;
  logLevel: string;
  /** Folder for generated development keys and local server data. */
  dataDir: string;
};

export function commonConfig(env: Env, cwd: string): CommonConfig {
  return {
    natsUrl: envString(env, 'NATS_URL', 'nats://127.0.0.1:4222'),
    databaseUrl: envString(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/parley'),
    namespace: envString(env, 'PARLEY_NAMESPACE', 'parley'),
    logLevel: envString(env, 'LOG_LEVEL', 'info'),
    dataDir: envString(env, 'PARLEY_DATA_DIR', `${cwd}/.parley`),
  };
}
