/** Worker-thread side of the statement workers (statement-workers.ts): intakes and signature checks, in order. */
import { serveBatches } from '../platform/batch-worker-pool.js';
import { createStatementJobHandler, type StatementJob, type StatementJobResult } from './statement-workers.js';

serveBatches<StatementJob, StatementJobResult>(createStatementJobHandler());
