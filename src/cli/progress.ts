/** A one-line progress display for terminals; silent when the stream is not a TTY (CI, pipes). */
export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

export function createProgress(stream: NodeJS.WriteStream, label: string, now: () => number = Date.now): Progress {
  if (!stream.isTTY) return { update() {}, finish() {} };
  const started = now();
  let drawn = false;
  return {
    update(done, total) {
      const seconds = Math.max((now() - started) / 1000, 0.001);
      const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
      stream.write(`\r${label} [${bar}] ${pct}% ${done}/${total} (${Math.round(done / seconds)}/s)`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
}
