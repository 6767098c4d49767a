/**
 * The control channel between `npm run bench:http` and the servers it measures, each in its own
 * process so the load generator never shares their event loop. Both ends are here:
 *
 *   - `startChild` (benchmark side) spawns `node <SERVICE_NODE_FLAGS> [--import tsx] scripts/bench-http/<name>` with an
 *     IPC channel, waits for the child's `ready` message, and then asks it for resource usage,
 *     CPU profiles and a graceful stop.
 *   - `serveParent` (server side) answers those requests.
 *
 * Children run the way the benchmark itself runs: compiled JavaScript from dist/ (as
 * `npm run bench:http` and `npm start` do), or TypeScript through tsx when the benchmark is run
 * with `node --import tsx scripts/bench-http.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from '../lib/service-node-flags.js';

/** Cumulative figures of a child process at one instant; the benchmark subtracts two of them. */
export interface UsageSnapshot {
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  /** Event-loop idle and active time (`performance.eventLoopUtilization()`), ms. */
  readonly loopIdleMs: number;
  readonly loopActiveMs: number;
  readonly rssMb: number;
  /** Bytes this process caused to be written to storage (Linux `/proc/self/io`), or null elsewhere. */
  readonly writeBytes: number | null;
  /**
   * CPU time of the main thread alone (the event loop), µs, from Linux `/proc/self/task/<pid>/stat`
   * at 10 ms resolution, or null elsewhere. Unlike wall-clock figures it does not grow when the
   * host takes the CPU away, so two builds compare on it even on a noisy machine.
   */
  readonly loopThreadCpuUs: number | null;
  /** Server-specific counters (commits, ledger size, …). */
  readonly counters: Readonly<Record<string, number>>;
}

type Call = { readonly kind: 'usage' | 'profile-start' | 'stop' } | { readonly kind: 'profile-stop'; readonly path: string };
type Request = Call & { readonly id: number };
type Message<Info> =
  | { readonly kind: 'ready'; readonly info: Info }
  | { readonly kind: 'reply'; readonly id: number; readonly value?: unknown }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string };

// ---------------------------------------------------------------------------------------------
// Benchmark side
// ---------------------------------------------------------------------------------------------

export interface Child<Info> {
  readonly info: Info;
  readonly pid: number;
  usage(): Promise<UsageSnapshot>;
  startProfile(): Promise<void>;
  /** Stops the CPU profile started last and writes it (`.cpuprofile`, for Chrome DevTools) to `path`. */
  stopProfile(path: string): Promise<void>;
  /** Graceful stop (the server drains and closes), then waits for the process to exit. */
  stop(): Promise<void>;
}

const RUNNING_TS = import.meta.url.endsWith('.ts');

/** Spawns `scripts/bench-http/<name>` with `args`; resolves when it reports ready. Fails if it exits first. */
export function startChild<Info>(name: string, args: readonly string[]): Promise<Child<Info>> {
  const entry = fileURLToPath(new URL(`./${name}${RUNNING_TS ? '.ts' : '.js'}`, import.meta.url));
  // Both servers with the service's production Node flags: the same runtime for the ratio.
  const child: ChildProcess = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...(RUNNING_TS ? ['--import', 'tsx'] : []), entry, ...args], {
    // stdout is the server's log (pino writes there, as in production); /dev/null keeps ours clean.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  let nextId = 1;
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
      pending.clear();
      resolve();
    }),
  );
  const call = (request: Call): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error(`${name} has exited`));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ ...request, id });
    });
  return new Promise((resolve, reject) => {
    void exit.then(() => reject(new Error(`${name} exited before it was ready`)));
    child.on('message', (raw) => {
      const message = raw as Message<Info>;
      if (message.kind === 'ready') {
        resolve({
          info: message.info,
          pid: child.pid ?? -1,
          usage: async () => (await call({ kind: 'usage' })) as UsageSnapshot,
          startProfile: async () => void (await call({ kind: 'profile-start' })),
          stopProfile: async (path) => void (await call({ kind: 'profile-stop', path })),
          async stop() {
            if (!exited) await call({ kind: 'stop' }).catch(() => undefined);
            const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
            await exit;
            clearTimeout(timer);
          },
        });
        return;
      }
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.kind === 'reply') waiter?.resolve(message.value);
      else waiter?.reject(new Error(`${name}: ${message.message}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Server side
// ---------------------------------------------------------------------------------------------

export interface ServeParentOptions<Info> {
  readonly info: Info;
  readonly counters?: () => Record<string, number>;
  /** Closes the server; the process exits once it resolves. */
  readonly stop: () => Promise<void>;
}

/** Linux reports a thread's CPU time in /proc in USER_HZ ticks, 100 a second on every architecture it runs on. */
const USER_HZ = 100;

function mainThreadCpuUs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis):
    // state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / USER_HZ;
  } catch {
    return null;
  }
}

function storageWriteBytes(): number | null {
  try {
    const line = /^write_bytes:\s*(\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return line === null ? null : Number(line[1]);
  } catch {
    return null;
  }
}

/** Reports `info` to the benchmark and answers its requests until it asks to stop (or goes away). */
export function serveParent<Info>(options: ServeParentOptions<Info>): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('this entry is started by scripts/bench-http.ts, with an IPC channel');
  let profiler: Session | undefined;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await options.stop();
  };
  const handle = async (request: Request): Promise<unknown> => {
    switch (request.kind) {
      case 'usage': {
        const cpu = process.cpuUsage();
        const loop = performance.eventLoopUtilization();
        return {
          cpuUserUs: cpu.user,
          cpuSystemUs: cpu.system,
          loopIdleMs: loop.idle,
          loopActiveMs: loop.active,
          rssMb: Math.round((process.memoryUsage().rss / 1048576) * 10) / 10,
          writeBytes: storageWriteBytes(),
          loopThreadCpuUs: mainThreadCpuUs(),
          counters: options.counters?.() ?? {},
        } satisfies UsageSnapshot;
      }
      case 'profile-start':
        profiler = new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
        await profiler.post('Profiler.start');
        return undefined;
      case 'profile-stop': {
        if (profiler === undefined) throw new Error('no profile is running');
        const { profile } = await profiler.post('Profiler.stop');
        profiler.disconnect();
        profiler = undefined;
        writeFileSync(request.path, JSON.stringify(profile));
        return undefined;
      }
      case 'stop':
        await stop();
        return undefined;
    }
  };
  process.on('message', (raw) => {
    const request = raw as Request;
    handle(request).then(
      (value) => {
        // After the reply to `stop` has gone out, closing the channel ends the process.
        send({ kind: 'reply', id: request.id, value }, undefined, undefined, () => {
          if (request.kind === 'stop') process.disconnect();
        });
      },
      (err: unknown) => send({ kind: 'failed', id: request.id, message: err instanceof Error ? err.message : String(err) }),
    );
  });
  // The benchmark died or was interrupted: do not outlive it.
  process.on('disconnect', () => {
    void stop().finally(() => process.exit(0));
  });
  send({ kind: 'ready', info: options.info });
}
