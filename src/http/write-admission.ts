/**
 * Load shedding for writes (docs/SECURITY.md, "Request floods and rate abuse"). The write routes
 * (signed statements, patient identifications) hold at most `maxInFlight` requests at once,
 * counted from their arrival to the end of their answer. Past it a request is answered
 * `503 SERVICE_OVERLOADED` with `Retry-After: 1` as it arrives, before its body is read, parsed or
 * verified: a service that has fallen behind otherwise queues every new write behind the others,
 * so each waits longer, holds its body in memory, and is more likely answered after its client
 * gave up. Nothing of a refused request is written; its client sends it again (an identical
 * statement lands once). Reads are not shed: they are cheap, and bounded by their rate limits.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { RxError } from '../core/errors.js';
import { toErrorBody } from './error-handler.js';
import { WRITE_ROUTES } from './rate-limit.js';

export interface WriteAdmission {
  /** Write requests being handled now (arrived, not yet answered). */
  inFlight(): number;
}

/** Installs the limit on `app`; `maxInFlight` 0 is no limit. */
export function installWriteAdmission(app: FastifyInstance, maxInFlight: number): WriteAdmission {
  let inFlight = 0;
  app.addHook('onRequest', (request, reply, done) => {
    if (!WRITE_ROUTES.has(`${request.method} ${request.routeOptions.url ?? ''}`)) return done();
    if (maxInFlight > 0 && inFlight >= maxInFlight) {
      answerOverloaded(reply);
      return;
    }
    inFlight++;
    // Once the answer is sent, or the connection is gone without one: exactly once either way.
    reply.raw.once('close', () => inFlight--);
    done();
  });
  return { inFlight: () => inFlight };
}

function answerOverloaded(reply: FastifyReply): void {
  const { status, body } = toErrorBody(new RxError('SERVICE_OVERLOADED', 'too many writes in progress; retry after the time in Retry-After'));
  void reply.status(status).header('retry-after', '1').send(body);
}
