/**
 * The entry URL of a worker-thread module that sits next to the module asking for it.
 *
 * Compiled (`npm start`, the CLI), the sibling is plain JavaScript. Run from source (tests, tsx),
 * it is TypeScript, and Node 20 does not give worker threads the loader the main thread
 * registered: the worker boots through a small data: module that registers tsx (a dev
 * dependency) before importing the TypeScript file.
 *
 * `callerUrl` is the asking module's `import.meta.url`; `baseName` the sibling without extension.
 */
export function siblingWorkerUrl(callerUrl: string, baseName: string): URL {
  if (callerUrl.endsWith('.js')) return new URL(`./${baseName}.js`, callerUrl);
  const source = new URL(`./${baseName}.ts`, callerUrl).href;
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(source)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}
