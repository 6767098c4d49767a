/**
 * What every reliability campaign (docs/RELIABILITY.md) shares: its options, its verdict and the
 * way it reports. A campaign is a library function `run…Campaign(options)` (the CI-sized variant
 * in test/scripts/ calls it directly) and a thin entry script `scripts/campaign-<name>.ts` that
 * parses `--size` and friends and prints the report.
 *
 * The report is human lines, then, as the very last line, one JSON object. A campaign that finds
 * a violation exits non-zero; it never fails because of a time.
 */
import { parseArgs } from 'node:util';

/** What a campaign found. `violations` lists each broken promise (empty when it holds). */
export interface CampaignReport {
  readonly campaign: string;
  /** Readable summary lines, printed before the JSON line. */
  readonly lines: readonly string[];
  /** Figures for docs/RELIABILITY.md (counts, rates, durations); all JSON values. */
  readonly figures: Readonly<Record<string, unknown>>;
  /** Each violation as one sentence naming what was broken and where (at most a few hundred kept). */
  readonly violations: readonly string[];
}

/** A string/number option of an entry script: its default and one line of help. */
export interface OptionSpec {
  readonly default: number | string;
  readonly help: string;
}

/**
 * Parses `--name value` / `--name=value` options against `specs` (numbers stay numbers); `--help`
 * prints them and exits. Unknown options and non-numeric numbers stop the script with a usage line.
 */
export function parseCampaignOptions<S extends Record<string, OptionSpec>>(
  script: string,
  specs: S,
  argv: readonly string[] = process.argv.slice(2),
): { [K in keyof S]: S[K]['default'] extends number ? number : string } {
  const usage = (): string =>
    [`usage: npm run ${script} -- [options]`, ...Object.entries(specs).map(([name, s]) => `  --${name.padEnd(14)} ${s.help} (default ${s.default})`)].join('\n');
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean' }, ...Object.fromEntries(Object.keys(specs).map((name) => [name, { type: 'string' as const }])) },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${usage()}\n`);
    process.exit(2);
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage()}\n`);
    process.exit(0);
  }
  const out: Record<string, number | string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const given = (parsed.values as Record<string, unknown>)[name];
    if (given === undefined) {
      out[name] = spec.default;
    } else if (typeof spec.default === 'number') {
      const n = Number(given);
      if (!Number.isFinite(n)) {
        process.stderr.write(`--${name} must be a number\n${usage()}\n`);
        process.exit(2);
      }
      out[name] = n;
    } else {
      out[name] = String(given);
    }
  }
  return out as { [K in keyof S]: S[K]['default'] extends number ? number : string };
}

/** Collects violations, keeping the first `limit` sentences and counting all of them. */
export class ViolationLog {
  private readonly kept: string[] = [];
  private total = 0;
  constructor(private readonly limit = 200) {}
  add(sentence: string): void {
    this.total++;
    if (this.kept.length < this.limit) this.kept.push(sentence);
  }
  get count(): number {
    return this.total;
  }
  list(): readonly string[] {
    return this.total > this.kept.length ? [...this.kept, `… and ${this.total - this.kept.length} more`] : this.kept;
  }
}

/** Prints the report (violations first, then the summary, then the JSON line) and sets the exit code. */
export function printCampaignReport(report: CampaignReport): void {
  for (const v of report.violations) process.stdout.write(`VIOLATION: ${v}\n`);
  for (const line of report.lines) process.stdout.write(`${line}\n`);
  const verdict = report.violations.length === 0 ? 'held' : 'VIOLATED';
  process.stdout.write(`${report.campaign}: ${verdict}\n`);
  process.stdout.write(`${JSON.stringify({ campaign: report.campaign, held: report.violations.length === 0, violations: report.violations.length, ...report.figures })}\n`);
  if (report.violations.length > 0) process.exitCode = 1;
}

/** Progress for long campaigns: to stderr, so stdout stays the report. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}
