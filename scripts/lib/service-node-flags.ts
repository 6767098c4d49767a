/**
 * The Node flags the service runs with in production: `npm start` and the Docker image's CMD
 * pass exactly these (test/scripts/service-node-flags.test.ts keeps the three in step), so the
 * benchmarks and campaigns that start the service measure it as it is deployed.
 *
 * None today. `--max-semi-space-size=64` was here for a few days: it made the event loop's
 * scavenges about a third cheaper (GC 9.8 % → 6.5 % of the loop, docs/BENCHMARKS.md), but a V8
 * flag is process-wide and outranks a worker's `resourceLimits`, so every worker isolate (the
 * signature and intake pool's, the oversight thread's) could grow its young generation to
 * 128 MiB as well; in a 60-minute soak the service's RSS kept rising for most of the hour as the
 * workers' young generations doubled one by one (docs/RELIABILITY.md). Memory that is predictable
 * is worth more to the operator than 3 % of the loop; a heap flag belongs here only if it is
 * meant for every isolate in the process.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = [];
