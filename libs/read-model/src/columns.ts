import { BigIntType } from '@mikro-orm/core';

/** An event log sequence: bigint in Postgres, a JS number (safe up to 2^53) in rows. */
export const seq = () => ({ type: new BigIntType('number') });
