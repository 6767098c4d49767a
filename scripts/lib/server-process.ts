/**
 * Starts the real service (`src/main.ts`) in a child process and waits until it listens. Used by
 * the crash and soak campaigns and by tests that kill or measure a server from outside.
 *
 * Run from TypeScript (tests, `tsx`) the child runs `src/main.ts` through tsx; run from the
 * compiled tree (`npm run campaign:*`) it runs `dist/src/main.js` directly. Either way with the
 * Node flags `npm start` uses (service-node-flags.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from './service-node-flags.js';

const compiled = import.meta.url.endsWith('.js');
const MAIN = fileURLToPath(new URL(compiled ? '../../src/main.js' : '../../src/main.ts', import.meta.url));

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the child wrote to stdout so far (its pino log), when `keepLog` was asked for. */
  log(): string;
}

export interface ServerProcessOptions {
  /** Keep the child's whole stdout for `log()` (otherwise only a tail is kept while waiting). */
  readonly keepLog?: boolean;
  /** Node flags after the production ones (SERVICE_NODE_FLAGS), e.g. `--expose-gc`. */
  readonly nodeFlags?: readonly string[];
}

/** Spawns the service with `env` on top of this process's environment (PORT=0 unless given). */
export function startServerProcess(env: Record<string, string>, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const args = [...SERVICE_NODE_FLAGS, ...(options.nodeFlags ?? []), ...(compiled ? [] : ['--import', 'tsx']), MAIN];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, PORT: '0', CHECKPOINT_INTERVAL_MS: '50', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
    if (stderr.length > 100_000) stderr = stderr.slice(-10_000);
  });
  let out = '';
  let listening = false;
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += String(d);
      if (!listening) {
        const m = /"url":"([^"]+)"[^\n]*"msg":"rxledger listening"/.exec(out);
        if (m) {
          listening = true;
          resolve({ url: m[1] as string, child, exited, log: () => out });
        }
      }
      if (!options.keepLog && out.length > 1_000_000) out = out.slice(-10_000);
    });
    void exited.then(({ code, signal }) => {
      if (!listening) reject(new Error(`server exited (${code ?? signal}) before listening: ${stderr.slice(-2000)}`));
    });
  });
}
