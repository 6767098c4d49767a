/** Starts the real service (`src/main.ts`) in a child process and waits until it listens. */
import { startServerProcess, type ServerProcess } from '../../scripts/lib/server-process.js';

export type ChildServer = ServerProcess;

export function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  return startServerProcess(env);
}
