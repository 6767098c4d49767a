/**
 * The regulator page's script (GET /regulator/): fetches the latest checkpoint and verifies it,
 * checks inclusion proofs and pasted receipts, and, with the regulator's actor key loaded into
 * memory, signs reads of the oversight statistics and alerts and draws them. All verification is
 * in ./log-checks.ts on the project's core; this module only moves data between the network, the
 * checks and the DOM. Text from the service is only ever set as textContent.
 */
import { decodeBase64 } from '../core/bytes.js';
import type { Checkpoint } from '../core/checkpoint.js';
import { checkCheckpoint, checkInclusion, checkReceipt, type CheckFailure } from './log-checks.js';
import { outcomesPerPeriod, parseAlerts, parseAlertSummary, parseStats, rulesChart, turnaroundChart, dayName, type Alert } from './oversight-view.js';
import { parseReaderKey, readHeaders, type ReaderKey } from './reader-key.js';
import { formatDuration, groupedBars, stackedBars, type SvgNode } from './svg-charts.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const PINNED_KEY_STORAGE = 'rxledger.regulator.pinnedVerifierKey';

interface LogInfo {
  readonly origin: string;
  readonly verifierKeys: readonly string[];
  readonly size: number;
}

const state: {
  log: LogInfo | undefined;
  checkpoint: Checkpoint | undefined;
  reader: ReaderKey | undefined;
  alertsCursor: string | undefined;
} = { log: undefined, checkpoint: undefined, reader: undefined, alertsCursor: undefined };

function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
}

type Tone = 'ok' | 'warn' | 'bad' | 'pending';
function setStatus(id: string, tone: Tone, text: string, stateName: string): void {
  const el = $(id);
  el.className = `status status-${tone}`;
  el.textContent = text;
  el.dataset.state = stateName;
}
const text = (id: string, value: string): void => {
  $(id).textContent = value;
};
const failed = (f: CheckFailure): string => `${f.code}: ${f.message}`;

class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function answer(res: Response): Promise<Response> {
  if (res.ok) return res;
  const body = (await res.json().catch(() => undefined)) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const code = typeof body?.error?.code === 'string' ? body.error.code : `HTTP_${res.status}`;
  const message = typeof body?.error?.message === 'string' ? body.error.message : res.statusText;
  throw new ServiceError(res.status, code, message);
}

const get = async (path: string): Promise<Response> => answer(await fetch(path, { cache: 'no-store', credentials: 'omit' }));

/** A GET signed with the loaded regulator key (docs/AUTH.md §3). */
async function signedGet(pathAndQuery: string): Promise<unknown> {
  const key = state.reader;
  if (key === undefined) throw new ServiceError(0, 'AUTH_REQUIRED', 'load your regulator key first');
  const headers = readHeaders(key, 'GET', pathAndQuery, Date.now(), crypto.getRandomValues(new Uint8Array(16)));
  return (await answer(await fetch(pathAndQuery, { headers, cache: 'no-store', credentials: 'omit' }))).json();
}

const describeError = (err: unknown): string => (err instanceof ServiceError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err));

// -------------------------------------------------------------------------------------------
// Checkpoint and keys

function pinnedKey(): string | undefined {
  const v = localStorage.getItem(PINNED_KEY_STORAGE);
  return v === null || v === '' ? undefined : v;
}

function showKeys(): void {
  text('pinned-current', pinnedKey() ?? 'none');
  text('served-keys', state.log?.verifierKeys.join('\n') ?? '–');
}

async function refreshCheckpoint(): Promise<void> {
  setStatus('checkpoint-status', 'pending', 'Fetching…', 'pending');
  state.checkpoint = undefined;
  try {
    const log = (await (await get('/v1/log')).json()) as LogInfo;
    if (typeof log.origin !== 'string' || !Array.isArray(log.verifierKeys) || !log.verifierKeys.every((k) => typeof k === 'string')) {
      throw new Error('GET /v1/log did not answer with an origin and verifier keys');
    }
    state.log = log;
    showKeys();
    const note = await (await get('/checkpoint')).text();
    const result = checkCheckpoint(note, { pinned: pinnedKey(), served: log.verifierKeys }, log.origin);
    if (!result.ok) {
      setStatus('checkpoint-status', 'bad', `Checkpoint FAILED verification — ${failed(result)}`, 'failed');
      for (const id of ['checkpoint-origin', 'checkpoint-size', 'checkpoint-root', 'checkpoint-signers']) text(id, '–');
      return;
    }
    const cp = result.checkpoint;
    state.checkpoint = cp;
    text('checkpoint-origin', cp.origin);
    text('checkpoint-size', `${cp.size} entries`);
    text('checkpoint-root', hex(cp.rootHash));
    text('checkpoint-signers', result.verifiedBy.join('\n'));
    if (result.trust === 'pinned') {
      setStatus('checkpoint-status', 'ok', `Verified against your pinned key: the log ${cp.origin} at size ${cp.size}.`, 'verified-pinned');
    } else if (result.pinnedKeyAbsent) {
      setStatus('checkpoint-status', 'warn', 'Your pinned key did NOT sign this checkpoint; it verifies only against the key the service serves. The log’s key may have been rotated — or this is not the log you pinned.', 'verified-served-pinned-absent');
    } else {
      setStatus('checkpoint-status', 'warn', 'Verified against the key the service serves only: pin a key you obtained out of band to know it is the log you mean.', 'verified-served');
    }
    const input = $<HTMLInputElement>('inclusion-index');
    if (input.value === '' && cp.size > 0) input.value = String(cp.size - 1);
  } catch (err) {
    setStatus('checkpoint-status', 'bad', `Could not fetch the checkpoint — ${describeError(err)}`, 'failed');
  }
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function pin(value: string | undefined): void {
  if (value === undefined) localStorage.removeItem(PINNED_KEY_STORAGE);
  else localStorage.setItem(PINNED_KEY_STORAGE, value.trim());
  showKeys();
  void refreshCheckpoint().then(verifyInclusionAt);
}

function pinFromInput(): void {
  const value = $<HTMLInputElement>('pinned-key').value.trim();
  // Refuse to pin what is not a verifier key: checkCheckpoint would report KEY_MALFORMED forever.
  const probe = checkCheckpoint('', { pinned: value, served: [] });
  if (!probe.ok && probe.code === 'KEY_MALFORMED') {
    setStatus('checkpoint-status', 'bad', `Not a verifier key — ${failed(probe)}`, 'key-malformed');
    return;
  }
  pin(value === '' ? undefined : value);
}

// -------------------------------------------------------------------------------------------
// Inclusion and receipts

async function verifyInclusionAt(): Promise<void> {
  const cp = state.checkpoint;
  const raw = $<HTMLInputElement>('inclusion-index').value.trim();
  if (cp === undefined) {
    setStatus('inclusion-status', 'bad', 'No verified checkpoint to check against.', 'no-checkpoint');
    return;
  }
  if (!/^(0|[1-9][0-9]{0,15})$/.test(raw) || Number(raw) >= cp.size) {
    setStatus('inclusion-status', 'bad', `Pick an index from 0 to ${cp.size - 1}.`, 'bad-index');
    return;
  }
  const index = Number(raw);
  setStatus('inclusion-status', 'pending', `Checking entry ${index}…`, 'pending');
  text('inclusion-leaf', '–');
  text('inclusion-length', '–');
  try {
    const proof: unknown = await (await get(`/v1/log/proof/inclusion?index=${index}&size=${cp.size}`)).json();
    let bytes: Uint8Array | undefined;
    let readNote = '';
    if (state.reader !== undefined) {
      const page = (await signedGet(`/v1/log/entries?start=${index}&end=${index + 1}`)) as { entries?: Array<{ index?: unknown; data?: unknown }> };
      const entry = page.entries?.[0];
      if (entry?.index === index && typeof entry.data === 'string') bytes = decodeBase64(entry.data);
      else readNote = ' (the entry’s content was not readable with your key)';
    }
    const result = checkInclusion(proof, index, cp, bytes);
    if (!result.ok) {
      setStatus('inclusion-status', 'bad', `Inclusion proof for entry ${index} FAILED — ${failed(result)}`, 'failed');
      return;
    }
    text('inclusion-leaf', result.leafHash);
    text('inclusion-length', `${result.proofLength} hashes, to the root of size ${result.size}`);
    if (result.entryBytesMatch === false) {
      setStatus('inclusion-status', 'bad', `Entry ${index}’s bytes are in the log, but the service served a different leaf hash for it.`, 'leaf-mismatch');
    } else if (result.entryBytesMatch === true) {
      setStatus('inclusion-status', 'ok', `Entry ${index} is in the verified checkpoint; its bytes, read with your key, hash to the proven leaf.`, 'verified-bytes');
    } else {
      setStatus('inclusion-status', 'ok', `Entry ${index} (leaf hash as served) is in the verified checkpoint${readNote}.`, 'verified');
    }
  } catch (err) {
    setStatus('inclusion-status', 'bad', `Could not check entry ${index} — ${describeError(err)}`, 'failed');
  }
}

function verifyReceiptInput(): void {
  const result = checkReceipt($<HTMLTextAreaElement>('receipt-text').value, $<HTMLInputElement>('receipt-leaf').value, { pinned: pinnedKey(), served: state.log?.verifierKeys ?? [] }, state.log?.origin);
  if (!result.ok) {
    setStatus('receipt-status', 'bad', `Receipt FAILED — ${failed(result)}`, 'failed');
    return;
  }
  const under = result.trust === 'pinned' ? 'your pinned key' : 'the key the service serves (no key pinned)';
  setStatus('receipt-status', result.trust === 'pinned' ? 'ok' : 'warn', `Receipt verified: entry ${result.index} is in ${result.checkpoint.origin} at size ${result.checkpoint.size}, signed under ${under}.`, `verified-${result.trust}`);
}

// -------------------------------------------------------------------------------------------
// The regulator key, statistics and alerts

function useReaderKey(textValue: string): void {
  try {
    state.reader = parseReaderKey(textValue);
    setStatus('reader-status', 'ok', `Key ${state.reader.keyId} of ${state.reader.actorId} is loaded in this tab’s memory.`, 'loaded');
    void loadOversight();
    void verifyInclusionAt();
  } catch (err) {
    state.reader = undefined;
    setStatus('reader-status', 'bad', `Not a usable key file — ${describeError(err)}`, 'failed');
  }
}

function forgetReaderKey(): void {
  state.reader = undefined;
  $<HTMLInputElement>('reader-file').value = '';
  $<HTMLTextAreaElement>('reader-text').value = '';
  setStatus('reader-status', 'pending', 'No key loaded.', 'none');
}

function draw(id: string, chart: SvgNode): void {
  const render = (n: SvgNode): Element => {
    const el = document.createElementNS(SVG_NS, n.tag);
    for (const [k, v] of Object.entries(n.attrs)) el.setAttribute(k, String(v));
    if (n.text !== undefined) el.textContent = n.text;
    for (const c of n.children ?? []) el.append(render(c));
    return el;
  };
  $(id).replaceChildren(render(chart));
}

async function loadOversight(): Promise<void> {
  if (state.reader === undefined) return;
  const period = $<HTMLSelectElement>('stats-period').value;
  const from = $<HTMLInputElement>('stats-from').value;
  const to = $<HTMLInputElement>('stats-to').value;
  const range = new URLSearchParams({ from, to }).toString();
  setStatus('stats-status', 'pending', 'Loading statistics…', 'pending');
  setStatus('alerts-status', 'pending', 'Loading alerts…', 'pending');
  const stats = Promise.all([
    signedGet(`/v1/oversight/stats?${new URLSearchParams({ by: 'total', period })}&${range}`),
    signedGet(`/v1/oversight/stats?by=rule&period=month&${range}`),
    signedGet(`/v1/oversight/stats?by=total&period=month&${range}`),
  ]).then(([perPeriod, byRule, monthly]) => {
    const totals = parseStats(perPeriod);
    const outcomes = outcomesPerPeriod(totals);
    draw('chart-outcomes', stackedBars('Prescriptions per period, by check outcome', outcomes.categories, outcomes.series));
    const rules = rulesChart(parseStats(byRule));
    draw('chart-rules', groupedBars('Blocks and overrides, by rule', rules.rows, rules.series));
    const turnaround = turnaroundChart(parseStats(monthly));
    text('turnaround-caption', turnaround.period === undefined ? 'Turnaround times' : `Turnaround times, month of ${turnaround.period}`);
    draw('chart-turnaround', groupedBars('Turnaround percentiles', turnaround.rows, turnaround.series, formatDuration));
    const asOf = totals.asOf === undefined ? '' : ` As of entry ${totals.asOf.index}.`;
    const submitted = totals.rows.reduce((n, r) => n + r.counts.submitted, 0);
    setStatus('stats-status', 'ok', `${submitted} prescriptions submitted from ${from} to ${to}.${asOf}`, 'loaded');
  });
  const alerts = Promise.all([signedGet('/v1/oversight/alerts/summary'), signedGet('/v1/oversight/alerts?limit=50')]).then(([summary, list]) => {
    const kinds = parseAlertSummary(summary);
    draw('chart-alerts', groupedBars('Alerts by kind', kinds.map(([k]) => k), [{ name: 'alerts', values: kinds.map(([, n]) => n) }]));
    const page = parseAlerts(list);
    $('alerts-table').querySelector('tbody')!.replaceChildren();
    appendAlerts(page.alerts, page.next);
    const total = kinds.reduce((n, [, c]) => n + c, 0);
    setStatus('alerts-status', total > 0 ? 'warn' : 'ok', total > 0 ? `${total} alerts.` : 'No alerts.', 'loaded');
  });
  const [s, a] = await Promise.allSettled([stats, alerts]);
  if (s.status === 'rejected') setStatus('stats-status', 'bad', `Could not load statistics — ${oversightError(s.reason)}`, 'failed');
  if (a.status === 'rejected') setStatus('alerts-status', 'bad', `Could not load alerts — ${oversightError(a.reason)}`, 'failed');
}

const oversightError = (err: unknown): string =>
  err instanceof ServiceError && err.code === 'ROUTE_NOT_FOUND' ? 'this ledger does not serve oversight statistics' : describeError(err);

function appendAlerts(alerts: readonly Alert[], next: string | undefined): void {
  const body = $('alerts-table').querySelector('tbody')!;
  for (const a of alerts) {
    const row = document.createElement('tr');
    const cell = (value: string) => {
      const td = document.createElement('td');
      td.textContent = value;
      row.append(td);
      return td;
    };
    cell(a.time > 0 ? new Date(a.time).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '–');
    cell(a.kind);
    cell(a.subject.kind === '' ? '–' : `${a.subject.kind} ${a.subject.id}`);
    cell(a.summary);
    const entries = cell('');
    for (const index of a.entries) {
      const link = document.createElement('a');
      link.href = `#entry-${index}`;
      link.className = 'entry-link mono';
      link.textContent = `#${index}`;
      link.title = `Verify that entry ${index} is in the log`;
      entries.append(link, ' ');
    }
    body.append(row);
  }
  state.alertsCursor = next;
  $('alerts-more').hidden = next === undefined;
}

async function moreAlerts(): Promise<void> {
  if (state.alertsCursor === undefined) return;
  try {
    const page = parseAlerts(await signedGet(`/v1/oversight/alerts?${new URLSearchParams({ cursor: state.alertsCursor, limit: '50' })}`));
    appendAlerts(page.alerts, page.next);
  } catch (err) {
    setStatus('alerts-status', 'bad', `Could not load more alerts — ${oversightError(err)}`, 'failed');
  }
}

/** `#entry-<index>` (the alert table's links) checks that entry's inclusion. */
function followHash(): void {
  const m = /^#entry-(0|[1-9][0-9]{0,15})$/.exec(location.hash);
  if (m === null) return;
  $<HTMLInputElement>('inclusion-index').value = m[1]!;
  $('inclusion-panel').scrollIntoView();
  void verifyInclusionAt();
}

// -------------------------------------------------------------------------------------------

function start(): void {
  const now = Date.now();
  $<HTMLInputElement>('stats-from').value = dayName(now, 29);
  $<HTMLInputElement>('stats-to').value = dayName(now);
  $('checkpoint-refresh').addEventListener('click', () => void refreshCheckpoint().then(verifyInclusionAt));
  $('pin-key').addEventListener('click', pinFromInput);
  $('pin-served-key').addEventListener('click', () => pin(state.log?.verifierKeys[0]));
  $('unpin-key').addEventListener('click', () => pin(undefined));
  $('inclusion-verify').addEventListener('click', () => void verifyInclusionAt());
  $('receipt-verify').addEventListener('click', verifyReceiptInput);
  $('reader-file').addEventListener('change', () => {
    const input = $<HTMLInputElement>('reader-file');
    const file = input.files?.[0];
    input.value = '';
    if (file !== undefined) void file.text().then(useReaderKey);
  });
  $('reader-load').addEventListener('click', () => useReaderKey($<HTMLTextAreaElement>('reader-text').value));
  $('reader-forget').addEventListener('click', forgetReaderKey);
  $('stats-load').addEventListener('click', () => void loadOversight());
  $('alerts-more').addEventListener('click', () => void moreAlerts());
  window.addEventListener('hashchange', followHash);
  setStatus('script-status', 'ok', 'Verifier loaded: @noble/ed25519 and @noble/hashes with the ledger’s core, running in this browser.', 'ready');
  showKeys();
  void refreshCheckpoint().then(() => (location.hash.startsWith('#entry-') ? followHash() : verifyInclusionAt()));
}

start();
