// Writes kept fixtures for schema versions that have none yet (npm run schemas:fixtures).
import { Codec } from './codec.ts';
import { writeMissingFixtures } from './fixtures.ts';
import { DEFAULT_SCHEMAS_DIR } from './schema-registry.ts';

const written = writeMissingFixtures(DEFAULT_SCHEMAS_DIR, Object.values(new Codec().registries()));
console.log(written.length === 0 ? 'every schema version has its fixture' : `wrote ${written.length} fixtures:\n${written.join('\n')}`);
