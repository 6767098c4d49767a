/** Parses one part of a request (query, params, body) with zod, once, at the edge. */
import type { z } from 'zod';
import { RxError } from '../core/errors.js';
import { zodIssuePaths } from '../core/issue-paths.js';
import { MAX_ERROR_PATHS } from './error-handler.js';

export function parseRequestPart<S extends z.ZodType>(schema: S, value: unknown, part: 'query' | 'params' | 'body'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // The answer names the first few distinct paths; a hostile body may have hundreds of thousands.
  throw new RxError('REQUEST_INVALID', `invalid ${part}`, { paths: zodIssuePaths(parsed.error.issues, [part], MAX_ERROR_PATHS) });
}
