/** Parses one part of a request (query, params, body) with zod, once, at the edge. */
import type { z } from 'zod';
import { RxError } from '../core/errors.js';
import { MAX_ERROR_PATHS } from './error-handler.js';

export function parseRequestPart<S extends z.ZodType>(schema: S, value: unknown, part: 'query' | 'params' | 'body'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // The answer names the first few distinct paths; a hostile body may have hundreds of thousands.
  const paths = new Set<string>();
  for (const issue of parsed.error.issues) {
    paths.add([part, ...issue.path.map(String)].join('.'));
    if (paths.size >= MAX_ERROR_PATHS) break;
  }
  throw new RxError('REQUEST_INVALID', `invalid ${part}`, { paths: [...paths] });
}
