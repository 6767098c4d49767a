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
 *
 * The line is written without the service logger's redaction (src/service-logger.ts). Its members
 * are fixed here: Fastify's request and reply serializers' output (method, URL, host, client address
 * and port; status code), the request id and a number, and none is named like anything redaction
 * censors, so it would find nothing; but its wildcard paths walk every line, which cost about
 * 27 µs of every request on the event loop (docs/BENCHMARKS.md). Every other line keeps it.
 */
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';

/** pino's child option that replaces the inherited redaction paths with none. */
const WITHOUT_REDACTION = { redact: [] as string[] };

/** One instance per Fastify app (app.ts makes one each): it keeps that app's line logger. */
export class OneLinePerRequest extends LogController {
  private lines: FastifyBaseLogger | undefined;

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    // One child of the server's logger for every line (a child per request costs more than the
    // redaction it spares); the request id goes first on the line, where the request's own
    // logger writes it.
    this.lines ??= request.server.log.child({}, WITHOUT_REDACTION);
    this.lines.info({ reqId: request.id, req: request, res: reply, responseTime: Math.round(reply.elapsedTime * 1000) / 1000 }, 'request completed');
  }
}
