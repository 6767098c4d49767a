/**
 * The regulator page's HTML, stylesheet and import map, as constants: they are compiled into
 * dist/ with the rest, so the service serves them from a build without its sources (the Docker
 * image keeps only dist/). The page's script is dist/src/web/regulator-page.js, which imports the
 * project's core (dist/src/core/*.js) and, through the import map, @noble/ed25519, @noble/hashes
 * and @scure/base straight from node_modules (src/http/regulator-page-routes.ts serves them).
 *
 * The import map is the only inline element and it is data, not script; the Content-Security-
 * Policy admits it by its SHA-256 hash alone. No inline script, no inline style, nothing from
 * another origin.
 */

/** Bare specifiers of the page's modules → the URLs the page routes serve them at (relative to /regulator/). */
export const IMPORT_MAP = JSON.stringify({
  imports: {
    '@noble/ed25519': './js/vendor/noble-ed25519/index.js',
    '@noble/hashes/': './js/vendor/noble-hashes/',
    '@scure/base': './js/vendor/scure-base/index.js',
  },
});

export const REGULATOR_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>rxledger · regulator</title>
<link rel="stylesheet" href="./style.css">
<script type="importmap">${IMPORT_MAP}</script>
<script type="module" src="./js/web/regulator-page.js"></script>
</head>
<body>
<header>
  <h1>rxledger <span class="muted">· regulator</span></h1>
  <p class="muted">Everything on this page is verified here, in your browser, with the ledger’s own code: nothing the service says is taken on trust except what is marked so. The page shows counts and entry numbers only; the ledger holds no personal data.</p>
  <p id="script-status" class="status status-pending">Loading the verifier…</p>
</header>
<main>
<section id="checkpoint-panel" aria-labelledby="checkpoint-heading">
  <h2 id="checkpoint-heading">Latest checkpoint</h2>
  <p id="checkpoint-status" class="status status-pending" role="status">Not checked yet.</p>
  <dl class="facts">
    <dt>Log</dt><dd id="checkpoint-origin">–</dd>
    <dt>Size</dt><dd id="checkpoint-size">–</dd>
    <dt>Root hash</dt><dd id="checkpoint-root" class="mono">–</dd>
    <dt>Signed by</dt><dd id="checkpoint-signers" class="mono">–</dd>
  </dl>
  <button id="checkpoint-refresh" type="button">Fetch and verify again</button>
  <details id="keys" open>
    <summary>Trusted key</summary>
    <p>Pin the log’s verifier key you obtained out of band (published by the operator, or from an earlier visit). A checkpoint verified only under the key the service itself announces proves that the service signed it, not that it is the log you mean.</p>
    <label for="pinned-key">Pinned verifier key</label>
    <input id="pinned-key" class="mono" type="text" spellcheck="false" autocomplete="off" placeholder="origin+1a2b3c4d+AQ…">
    <div class="row">
      <button id="pin-key" type="button">Pin this key</button>
      <button id="pin-served-key" type="button">Pin the served key</button>
      <button id="unpin-key" type="button">Forget the pinned key</button>
    </div>
    <p>Pinned: <span id="pinned-current" class="mono">none</span></p>
    <p>Served by <code>GET /v1/log</code>: <span id="served-keys" class="mono">–</span></p>
  </details>
</section>

<section id="inclusion-panel" aria-labelledby="inclusion-heading">
  <h2 id="inclusion-heading">Inclusion proof</h2>
  <p>Checks, against the verified checkpoint’s root (RFC 9162), that the entry with this index is in the log. With your regulator key loaded, the entry’s bytes are read and hashed here too.</p>
  <div class="row">
    <label for="inclusion-index">Entry index</label>
    <input id="inclusion-index" type="number" min="0" step="1" inputmode="numeric">
    <button id="inclusion-verify" type="button">Verify inclusion</button>
  </div>
  <p id="inclusion-status" class="status status-pending" role="status">Not checked yet.</p>
  <dl class="facts">
    <dt>Leaf hash</dt><dd id="inclusion-leaf" class="mono">–</dd>
    <dt>Proof</dt><dd id="inclusion-length">–</dd>
  </dl>
</section>

<section id="receipt-panel" aria-labelledby="receipt-heading">
  <h2 id="receipt-heading">Receipt</h2>
  <p>Paste a receipt: the JSON of <code>GET /v1/receipts/{index}</code>, or its C2SP tlog-proof text with the entry’s leaf hash.</p>
  <label for="receipt-text">Receipt</label>
  <textarea id="receipt-text" class="mono" rows="6" spellcheck="false"></textarea>
  <label for="receipt-leaf">Leaf hash (base64; not needed for a JSON receipt)</label>
  <input id="receipt-leaf" class="mono" type="text" spellcheck="false" autocomplete="off">
  <button id="receipt-verify" type="button">Verify receipt</button>
  <p id="receipt-status" class="status status-pending" role="status">Not checked yet.</p>
</section>

<section id="reader-panel" aria-labelledby="reader-heading">
  <h2 id="reader-heading">Regulator key</h2>
  <p>Statistics and alerts are signed reads (RFC 9421). Load your actor key file: it stays in this tab’s memory, signs each request here, and is never sent or stored.</p>
  <div class="row">
    <label for="reader-file">Actor key file</label>
    <input id="reader-file" type="file" accept=".key,text/plain">
    <button id="reader-forget" type="button">Forget the key</button>
  </div>
  <details>
    <summary>Or paste it</summary>
    <textarea id="reader-text" class="mono" rows="2" spellcheck="false" autocomplete="off"></textarea>
    <button id="reader-load" type="button">Use this key</button>
  </details>
  <p id="reader-status" class="status status-pending" role="status">No key loaded.</p>
</section>

<section id="stats-panel" aria-labelledby="stats-heading">
  <h2 id="stats-heading">Prescribing statistics (处方点评)</h2>
  <div class="row">
    <label for="stats-period">Period</label>
    <select id="stats-period"><option value="day">day</option><option value="week">week</option><option value="month">month</option></select>
    <label for="stats-from">From</label><input id="stats-from" type="date">
    <label for="stats-to">To</label><input id="stats-to" type="date">
    <button id="stats-load" type="button">Load</button>
  </div>
  <p id="stats-status" class="status status-pending" role="status">Load your key to see statistics.</p>
  <figure><figcaption>Prescriptions per period, by check outcome</figcaption><div id="chart-outcomes" class="chart-box"></div></figure>
  <figure><figcaption>Blocks and overrides, by rule</figcaption><div id="chart-rules" class="chart-box"></div></figure>
  <figure><figcaption id="turnaround-caption">Turnaround times</figcaption><div id="chart-turnaround" class="chart-box"></div></figure>
</section>

<section id="alerts-panel" aria-labelledby="alerts-heading">
  <h2 id="alerts-heading">Alerts</h2>
  <p id="alerts-status" class="status status-pending" role="status">Load your key to see alerts.</p>
  <figure><figcaption>Alerts by kind</figcaption><div id="chart-alerts" class="chart-box"></div></figure>
  <table id="alerts-table">
    <thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Subject</th><th scope="col">Summary</th><th scope="col">Entries</th></tr></thead>
    <tbody></tbody>
  </table>
  <button id="alerts-more" type="button" hidden>More</button>
</section>
</main>
</body>
</html>
`;

export const REGULATOR_PAGE_CSS = `:root { color-scheme: light; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif; color: #1f2328; background: #f6f8fa; }
header { padding: 16px 24px 8px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { margin: 0 0 8px; font-size: 18px; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 16px; padding: 16px 24px 32px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px 16px; min-width: 0; }
#stats-panel, #alerts-panel { grid-column: 1 / -1; }
.muted { color: var(--muted); font-weight: normal; }
.mono, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; overflow-wrap: anywhere; }
.row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 6px 0; }
label { font-weight: 600; }
input[type=text], textarea { width: 100%; padding: 5px 7px; border: 1px solid var(--line); border-radius: 4px; }
input[type=number] { width: 9em; padding: 4px 6px; }
button { padding: 5px 12px; border: 1px solid var(--line); border-radius: 4px; background: #f6f8fa; cursor: pointer; }
button:hover { background: #eaeef2; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.status { padding: 6px 10px; border-radius: 4px; border-left: 5px solid var(--muted); background: #f6f8fa; margin: 8px 0; }
.status-ok { border-color: var(--ok); background: #dafbe1; }
.status-warn { border-color: var(--warn); background: #fff8c5; }
.status-bad { border-color: var(--bad); background: #ffebe9; }
.status-pending { border-color: var(--muted); }
figure { margin: 10px 0; }
figcaption { font-weight: 600; margin-bottom: 4px; }
.chart-box { overflow-x: auto; }
svg.chart { display: block; max-width: 100%; height: auto; font-size: 11px; }
.grid { stroke: #eaeef2; }
.axis { stroke: #8c959f; }
.axis-label, .legend-label, .value-label { fill: #424a53; }
.series-0 { fill: #2da44e; }
.series-1 { fill: #bf8700; }
.series-2 { fill: #8250df; }
.series-3 { fill: #cf222e; }
.series-4 { fill: #6e7781; }
.series-5 { fill: #0969da; }
.series-6 { fill: #e16f24; }
.series-7 { fill: #1b7c83; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td button.entry-link { padding: 0 6px; margin: 0 4px 2px 0; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
`;
