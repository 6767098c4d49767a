/**
 * The Node flags the service runs with in production: `npm start` and the Docker image's CMD
 * pass exactly these (test/scripts/service-node-flags.test.ts keeps the three in step), so the
 * benchmarks and campaigns that start the service measure it as it is deployed.
 *
 * `--max-semi-space-size=64`: a larger young generation. The write path allocates a few hundred
 * KB per request that dies young; with V8's default semi-space (16 MiB here) scavenges took about
 * a tenth of the event loop (docs/BENCHMARKS.md), with 64 MiB about two thirds of that.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
