import { z } from 'zod';

/** A decimal index as it appears in a path or query string: no sign, no leading zeros, a safe integer. */
export const IndexParam = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,15})$/, 'must be a non-negative decimal integer')
  .transform(Number)
  .pipe(z.number().max(Number.MAX_SAFE_INTEGER));
