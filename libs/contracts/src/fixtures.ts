import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaFamily, SchemaRegistry } from './schema-registry.ts';

/**
 * Kept fixtures prove promise 8 (schemas evolve without breaking old events):
 * for every schema version ever written there is a fixture holding bytes
 * written with that version, and the latest reader must decode them all.
 * Fixtures are written once, when a version first appears, and never edited.
 */
export type Fixture = { family: SchemaFamily; name: string; version: number; value: unknown; hex: string };

export const fixturePath = (dir: string, family: SchemaFamily, name: string, version: number) =>
  join(dir, 'fixtures', family, `${name}.v${version}.json`);

export function readFixture(dir: string, registry: SchemaRegistry, name: string, version: number): Fixture | null {
  const path = fixturePath(dir, registry.family, name, version);
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as Fixture;
}

/** Writes a fixture (a random valid value of that version) for every version that has none; returns the paths. */
export function writeMissingFixtures(dir: string, registries: SchemaRegistry[]): string[] {
  const written: string[] = [];
  for (const registry of registries) {
    for (const name of registry.names()) {
      for (const version of registry.versions(name)) {
        if (readFixture(dir, registry, name, version)) continue;
        const type = registry.type(name, version);
        const value: unknown = type.random();
        const fixture: Fixture = {
          family: registry.family,
          name,
          version,
          value: JSON.parse(type.toString(value)),
          hex: type.toBuffer(value).toString('hex'),
        };
        const path = fixturePath(dir, registry.family, name, version);
        mkdirSync(join(path, '..'), { recursive: true });
        writeFileSync(path, JSON.stringify(fixture, null, 2) + '\n');
        written.push(path);
      }
    }
  }
  return written;
}
