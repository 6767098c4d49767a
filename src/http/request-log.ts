/**
 * One log line per request. Fastify writes two by default, "incoming request" (method, URL,
 * client address) on arrival and "request completed" (status, time) on the answer: at the rates
 * the write path runs, the second line cost about 2 % of the event loop (docs/BENCHMARKS.md) and
 * said nothing the first could not. Here the arrival writes nothing and the answer writes both
 * halves together, with the same serializers, so the line carries exactly the members the two
 * did (`req`, `res`, `responseTime`, the request id). Every other line Fastify writes (errors,
 * unknown routes, refused requests while closing) is left as it was.
 *
 * `responseTime` is in milliseconds to the microsecond: Fastify's own is a float with about
 * fifteen digits after the point, which lengthens every line and can hold a run of digits that
 * reads like a phone number (the likeliest explanation of the demo-logs test's one failure,
 * test/scripts/demo-logs.test.ts).
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    reply.log.info({ req: request, res: reply, responseTime: Math.round(reply.elapsedTime * 1000) / 1000 }, 'request completed');
  }
}
