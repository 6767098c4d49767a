/**
 * `rxledger audit`, `export` and `import` on a realistic ledger: audit and export once each as a
 * real process (exit codes, output streams, worker threads from the command line), the other
 * cases in this process with the output captured (a process start costs seconds here).
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { syntheticLedger, tamperedCopy } from '../support/synthetic.js';
import { runAudit } from '../../src/cli/audit-command.js';
import { runExport } from '../../src/cli/export-command.js';
import { runImport } from '../../src/cli/import-command.js';
import { runVerify, type CommandIo } from '../../src/cli/verify-command.js';

/** Usage errors are decided before any work: run in this process, with the output captured. */
const io = (): CommandIo & { text: () => string } => {
  let text = '';
  const stream = { write: (chunk: string) => ((text += chunk), true), isTTY: false } as unknown as NodeJS.WriteStream;
  return { stdout: stream, stderr: stream, text: () => text };
};

/** A command run in this process: its exit status and everything it wrote. */
const inProcess = async (command: (args: string[], io: CommandIo) => Promise<number>, ...args: string[]) => {
  const out = io();
  const status = await command(args, out);
  return { status, stdout: out.text() };
};

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8' });

t.test('audit --db writes its JSON report and exits 0 on a sound log, 1 naming each kind of failure, 2 on usage', async (t) => {
  const { dbPath, verifierKeys, size } = await syntheticLedger();
  const dir = t.testdir();
  const key = verifierKeys[0]!;
  const report = join(dir, 'report.json');
  const ok = run('audit', '--db', dbPath, '--key', key, '--report', report, '--workers', '2');
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /result:\s+OK/);
  t.match(ok.stdout, new RegExp(`audited:\\s+${size} entries`));
  const written = JSON.parse(readFileSync(report, 'utf8'));
  t.match(written, { format: 'rxledger-audit-report/v1', ok: true, entriesVerified: size, workers: 2 });

  const broken = tamperedCopy(dir, dbPath, "UPDATE registry_keys SET revoked_at = 1 WHERE actor_id = 'rph-0-0'");
  const failed = await inProcess(runAudit, '--db', broken, '--key', key, '--report', join(dir, 'broken.json'), '--json');
  t.equal(failed.status, 1);
  const json = JSON.parse(failed.stdout);
  t.equal(json.ok, false);
  t.equal(json.failures[0].first.code, 'REGISTRY_SNAPSHOT_MISMATCH');
  const human = io();
  t.equal(await runAudit(['--db', broken, '--key', key, '--report', join(dir, 'broken2.json'), '--workers', '0'], human), 1);
  t.match(human.text(), /FAILED — 1 kind of failure\n\s+REGISTRY_SNAPSHOT_MISMATCH ×1: the registry tables and the log disagree on key/);

  for (const args of [['--key', key], ['--db', dbPath], ['--db', dbPath, '--url', 'http://127.0.0.1:1', '--key', key], ['--db', dbPath, '--key', key, '--workers', 'many'], ['--nope']]) {
    const out = io();
    t.equal(await runAudit(args, out), 2, `usage: ${args.join(' ')}`);
    t.match(out.text(), /usage: rxledger audit/);
  }
  const missing = io();
  t.equal(await runAudit(['--db', join(dir, 'missing.sqlite'), '--key', key, '--report', join(dir, 'x.json')], missing), 1, 'an unreadable source');
  t.match(missing.text(), /SOURCE_UNAVAILABLE ×1: cannot open database/);
  t.match(JSON.parse(readFileSync(join(dir, 'x.json'), 'utf8')), { ok: false, failure: { code: 'SOURCE_UNAVAILABLE' } }, 'the report is written all the same');
});

t.test('audit --bundle of a missing or damaged file writes its report naming the failure by code, whenever the damage shows', async (t) => {
  const { verifierKeys, dbPath, size } = await syntheticLedger();
  const dir = t.testdir();
  const key = verifierKeys[0]!;
  const whole = join(dir, 'whole.gz');
  t.equal((await inProcess(runExport, '--db', dbPath, '--key', key, '--out', whole)).status, 0);
  const bytes = readFileSync(whole);
  const lines = gunzipSync(bytes).toString('utf8').split('\n');
  const withLine = (at: number) => gzipSync([...lines.slice(0, at), 'garbage', ...lines.slice(at)].join('\n'));
  const firstEntry = lines.findIndex((l) => l.startsWith('{"record":"entry"'));
  const auditOf = (name: string, content?: Uint8Array) => {
    const bundle = join(dir, name);
    if (content !== undefined) writeFileSync(bundle, content);
    const report = join(dir, `${name}.json`);
    return { bundle, report, args: ['--bundle', bundle, '--key', key, '--report', report, '--workers', '0'] };
  };
  const written = (report: string) => JSON.parse(readFileSync(report, 'utf8'));

  // A real process: a missing file used to crash it with an unhandled 'error' event.
  const missing = auditOf('missing.gz');
  const crashed = run('audit', ...missing.args);
  t.equal(crashed.status, 1, crashed.stderr);
  t.equal(crashed.stderr, '', 'no stack trace');
  t.match(crashed.stdout, /SOURCE_UNAVAILABLE ×1: cannot read the bundle/);
  t.match(written(missing.report), { format: 'rxledger-audit-report/v1', ok: false, source: `bundle ${missing.bundle}`, entriesVerified: 0, failure: { code: 'SOURCE_UNAVAILABLE' }, failures: [{ first: { code: 'SOURCE_UNAVAILABLE' }, count: 1 }] });

  // Damage found while opening (before the first entry) and while the entries stream.
  const damaged: Array<[string, Uint8Array, 'opening' | 'entries']> = [
    ['not gzip', Buffer.from('not gzip at all\n'), 'opening'],
    ['cut off before the first entry', bytes.subarray(0, 2000), 'opening'],
    ['cut off among the entries', bytes.subarray(0, Math.floor(bytes.length * 0.85)), 'entries'],
    ['a garbage line among the checkpoints', withLine(2), 'opening'],
    ['a garbage line among the entries', withLine(firstEntry + 100), 'entries'],
  ];
  for (const [what, content, stage] of damaged) {
    const c = auditOf(`${what.replace(/ /g, '-')}.gz`, content);
    const out = io();
    t.equal(await runAudit(c.args, out), 1, `${what}: exit 1`);
    t.match(out.text(), /result:\s+FAILED — 1 kind of failure\n\s+BUNDLE_MALFORMED ×1: /, `${what}: the summary names the code`);
    const report = written(c.report);
    t.match(report, { format: 'rxledger-audit-report/v1', ok: false, failure: { code: 'BUNDLE_MALFORMED' }, failures: [{ first: { code: 'BUNDLE_MALFORMED' }, count: 1 }] }, `${what}: the report`);
    if (stage === 'opening') t.equal(report.entriesVerified, 0, `${what}: found on opening`);
    else t.ok(report.entriesVerified > 0 && report.entriesVerified < size, `${what}: found part-way, after ${report.entriesVerified} entries`);
  }
  const json = io();
  t.equal(await runAudit([...auditOf('not-gzip.gz').args, '--json'], json), 1);
  t.match(JSON.parse(json.text()), { ok: false, failure: { code: 'BUNDLE_MALFORMED' } }, '--json prints the same report');
});

t.test('export then import: a bundle verified offline becomes an identical ledger', async (t) => {
  const { dbPath, verifierKeys, size } = await syntheticLedger();
  const dir = t.testdir();
  const key = verifierKeys[0]!;
  const bundle = join(dir, 'log.gz');
  const exported = run('export', '--db', dbPath, '--key', key, '--out', bundle);
  t.equal(exported.status, 0, exported.stderr);
  t.match(exported.stdout, new RegExp(`bundle:\\s+${bundle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(${size} entries\\)`));
  const audited = await inProcess(runAudit, '--bundle', bundle, '--key', key, '--report', join(dir, 'r.json'));
  t.equal(audited.status, 0, audited.stdout);
  const imported = await inProcess(runImport, '--bundle', bundle, '--key', key, '--data-dir', join(dir, 'copy'));
  t.equal(imported.status, 0, imported.stdout);
  t.match(imported.stdout, new RegExp(`imported:\\s+${size} entries`));
  const again = await inProcess(runVerify, '--db', join(dir, 'copy', 'ledger.sqlite'), '--key', key);
  t.equal(again.status, 0, again.stdout);
  const busy = io();
  t.equal(await runImport(['--bundle', bundle, '--key', key, '--data-dir', join(dir, 'copy')], busy), 1, 'the data directory is no longer empty');
  t.match(busy.text(), /is not empty/);
  t.equal(await runExport(['--db', dbPath, '--key', key], io()), 2, 'no --out');
  t.equal(await runImport(['--bundle', bundle, '--key', key], io()), 2, 'no --data-dir');
  t.notOk(existsSync(`${bundle}.partial`), 'no partial file left behind');
});
