/**
 * The fuzz campaign at CI size (scripts/campaigns/fuzz-campaign.ts; `npm run campaign:fuzz` is
 * the full one): a few hundred hostile requests against the real service over HTTP. No
 * violation, and it cannot pass vacuously: every category sent requests and was refused with the
 * codes it exists to provoke, the databases were digested, personal data was sent (and not
 * echoed), signed reads were replayed, and the valid originals were accepted afterwards.
 */
import t from 'tap';
import { CATEGORIES } from '../../scripts/campaigns/fuzz-support.js';
import { runFuzzCampaign } from '../../scripts/campaigns/fuzz-campaign.js';

t.test('hostile requests are each refused with a typed 4xx and write nothing', async (t) => {
  const report = await runFuzzCampaign({ size: 400, seed: 7, digestEvery: 80 });
  t.same(report.violations, [], 'no violation');
  const f = report.figures as {
    requests: number;
    statuses: Record<string, number>;
    categories: Record<string, { requests: number; codes: Record<string, number> }>;
    digests: number;
    canaryRequests: number;
    replayedReads: number;
    controls: { passed: number; total: number };
  };
  t.equal(f.requests, 400);
  t.ok(Object.keys(f.statuses).every((s) => Number(s) >= 400 && Number(s) < 500), 'only 4xx answers');
  for (const c of CATEGORIES) t.ok((f.categories[c]?.requests ?? 0) > 0, `${c}: requests sent`);
  const provoked: Array<[string, string]> = [
    ['wrong-type', 'ENTRY_BODY_INVALID'],
    ['wrong-type', 'REQUEST_INVALID'],
    ['tampered', 'AUTH_SIGNATURE_INVALID'],
    ['huge-body', 'REQUEST_TOO_LARGE'],
    ['deep-nesting', 'REQUEST_INVALID'],
    ['duplicate-keys', 'REQUEST_INVALID'],
    ['unicode', 'ENCODING_MALFORMED'],
    ['signature', 'AUTH_SIGNATURE_INVALID'],
    ['signature', 'AUTH_KEY_REVOKED'],
    ['replay', 'AUTH_NONCE_REUSED'],
    ['replay', 'IDEMPOTENCY_KEY_CONFLICT'],
    ['timestamp', 'AUTH_TIMESTAMP_OUT_OF_WINDOW'],
    ['content-type', 'REQUEST_MEDIA_TYPE_UNSUPPORTED'],
    ['authorization', 'AUTH_ROLE_FORBIDDEN'],
    ['paging', 'REQUEST_INVALID'],
    ['path', 'ROUTE_NOT_FOUND'],
    ['header', 'AUTH_SIGNATURE_INVALID'],
  ];
  for (const [category, code] of provoked) t.ok((f.categories[category]?.codes[code] ?? 0) > 0, `${category} provoked ${code}`);
  t.ok(f.digests >= 5, 'the databases were digested table by table');
  t.ok(f.canaryRequests > 0, 'personal data was sent (and never echoed)');
  t.ok(f.replayedReads > 0, 'authenticated reads were replayed');
  t.ok(f.controls.total >= 20 && f.controls.passed === f.controls.total, 'the valid originals were accepted afterwards');
});
