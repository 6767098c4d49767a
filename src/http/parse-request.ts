/** Parses one part of a request (query, params, body) with zod, once, at the edge. */
import type { z } from 'zod';
import { RxError } from '../core/errors.js';

export function parseRequestPart<S extends z.ZodType>(schema: S, value: unknown, part: 'query' | 'params' | 'body'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const paths = parsed.error.issues.map((i) => [part, ...i.path.map(String)].join('.'));
  throw new RxError('REQUEST_INVALID', `invalid ${part}`, { paths: [...new Set(paths)] });
}
