import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';

/** schemas/ at the repository root, found relative to this file so every app and test sees the same set. */
export const DEFAULT_SCHEMAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../schemas');

export type SchemaFamily = 'commands' | 'events' | 'envelope';

/**
 * All versions of every schema in one family, read once from
 * `schemas/<family>/<Name>.v<N>.avsc`. The highest version is the reader;
 * older writers are resolved to it (Avro schema resolution), so a new version
 * must be able to read every old one.
 */
export class SchemaRegistry {
  private readonly types = new Map<string, Map<number, avro.Type>>();
  private readonly resolvers = new Map<string, ReturnType<avro.Type['createResolver']>>();

  constructor(readonly dir: string, readonly family: SchemaFamily) {
    for (const file of readdirSync(join(dir, family))) {
      const match = /^([A-Za-z]+)\.v(\d+)\.avsc$/.exec(file);
      if (!match) continue;
      const [, name, version] = match as unknown as [string, string, string];
      const schema: unknown = JSON.parse(readFileSync(join(dir, family, file), 'utf8'));
      // A fresh options object per schema: avsc keeps a registry in it and
      // would refuse the same record name twice (versions share names).
      const type = avro.Type.forSchema(schema as avro.Schema, {});
      let versions = this.types.get(name);
      if (!versions) this.types.set(name, (versions = new Map()));
      versions.set(Number(version), type);
    }
  }

  names(): string[] {
    return [...this.types.keys()].sort();
  }

  versions(name: string): number[] {
    return [...(this.types.get(name)?.keys() ?? [])].sort((a, b) => a - b);
  }

  latestVersion(name: string): number {
    const versions = this.versions(name);
    const latest = versions[versions.length - 1];
    if (latest === undefined) throw new SchemaError(`no ${this.family} schema named ${name}`);
    return latest;
  }

  type(name: string, version: number): avro.Type {
    const type = this.types.get(name)?.get(version);
    if (!type) throw new SchemaError(`no ${this.family} schema ${name} v${version}`);
    return type;
  }

  /**
   * An envelope on the wire: one byte of envelope schema version, then the
   * Avro binary. The byte lets the envelope itself evolve.
   */
  encodeTagged(name: string, value: unknown): Buffer {
    const { version, bytes } = this.encode(name, value);
    return Buffer.concat([Buffer.of(version), bytes]);
  }

  decodeTagged(name: string, bytes: Uint8Array): unknown {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buffer.length < 2) throw new SchemaError(`${name}: message too short`);
    return this.decode(name, buffer[0] as number, buffer.subarray(1));
  }

  encode(name: string, value: unknown): { version: number; bytes: Buffer } {
    const version = this.latestVersion(name);
    return { version, bytes: this.type(name, version).toBuffer(value) };
  }

  /** Decodes bytes written with `version` into the shape of the latest version. */
  decode(name: string, version: number, bytes: Buffer): unknown {
    const latest = this.latestVersion(name);
    const reader = this.type(name, latest);
    if (version === latest) return reader.fromBuffer(bytes);
    const key = `${name}:${version}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      resolver = reader.createResolver(this.type(name, version));
      this.resolvers.set(key, resolver);
    }
    return reader.fromBuffer(bytes, resolver);
  }
}

export class SchemaError extends Error {
  override readonly name = 'SchemaError';
}
