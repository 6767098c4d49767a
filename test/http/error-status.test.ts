/**
 * The HTTP status of every prescription-lifecycle refusal code, as LIFECYCLE.md §2 tabulates it
 * for integrators: the table lists each RX_ code once, under the status the service answers with.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../src/core/errors.js';
import { HTTP_STATUS } from '../../src/http/error-status.js';

t.test('LIFECYCLE.md lists every RX_ code under its HTTP status', async (t) => {
  const doc = readFileSync(new URL('../../docs/LIFECYCLE.md', import.meta.url), 'utf8');
  const documented = new Map<string, number>();
  for (const row of doc.split('\n').filter((l) => /^\| \d{3} \|/.test(l))) {
    const status = Number(row.slice(2, 5));
    for (const [, code] of row.matchAll(/`(RX_[A-Z_]+)`/g)) {
      t.notOk(documented.has(code!), `${code} is listed once`);
      documented.set(code!, status);
    }
  }
  const codes = ERROR_CODES.filter((c) => c.startsWith('RX_'));
  t.same([...documented.keys()].sort(), [...codes].sort(), 'every RX_ code, and no other');
  for (const code of codes) t.equal(documented.get(code), HTTP_STATUS[code], `${code}: ${HTTP_STATUS[code]}`);
});
