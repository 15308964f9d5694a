import { describe, expect, it } from 'vitest';
import { Codec } from './codec.ts';
import { readFixture } from './fixtures.ts';
import { DEFAULT_SCHEMAS_DIR } from './schema-registry.ts';

const registries = Object.values(new Codec().registries());
const cases = registries.flatMap((registry) =>
  registry.names().flatMap((name) => registry.versions(name).map((version) => [registry, name, version] as const)),
);

// Promise 8: the newest schema of every type reads bytes written by every
// version ever released. Missing fixtures fail: run `npm run schemas:fixtures`.
describe('schema evolution', () => {
  it.each(cases.map(([r, n, v]) => [`${r.family}/${n}.v${v}`, r, n, v] as const))('latest reader decodes kept %s', (_label, registry, name, version) => {
    const fixture = readFixture(DEFAULT_SCHEMAS_DIR, registry, name, version);
    expect(fixture, `missing fixture for ${registry.family}/${name}.v${version}: run npm run schemas:fixtures`).not.toBeNull();
    const decoded = registry.decode(name, version, Buffer.from(fixture!.hex, 'hex'));
    if (version === registry.latestVersion(name)) {
      expect(JSON.parse(registry.type(name, version).toString(decoded))).toEqual(fixture!.value);
    } else {
      expect(registry.type(name, registry.latestVersion(name)).isValid(decoded)).toBe(true);
    }
  });

  it('covers every schema family', () => {
    expect(new Set(cases.map(([r]) => r.family))).toEqual(new Set(['envelope', 'events', 'commands']));
  });
});
