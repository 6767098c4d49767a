/** Entry bodies against their schemas: the paths at fault name each unknown member. */
import t from 'tap';
import { RxError } from '../../src/core/errors.js';
import { AUTH_POLICY_TYPE, verifyEntryBody } from '../../src/domain/entry-types.js';
import { admitRuleSetActivation } from '../../src/domain/checker/rule-set-activation.js';
import { parseEvidence } from '../../src/monitor/evidence.js';

function refusal(fn: () => unknown): { code: string; paths: readonly string[] } {
  try {
    fn();
  } catch (err) {
    if (err instanceof RxError) return { code: err.code, paths: err.paths };
    throw err;
  }
  throw new Error('expected a refusal');
}

t.test('verifyEntryBody: an unknown member is named, one path each', async (t) => {
  t.same(verifyEntryBody(AUTH_POLICY_TYPE, { timestampWindowMs: 60_000 }), { timestampWindowMs: 60_000 });
  t.same(refusal(() => verifyEntryBody(AUTH_POLICY_TYPE, { timestampWindowMs: 60_000, extra: 1 })), { code: 'ENTRY_BODY_INVALID', paths: ['body.extra'] });
  t.same(refusal(() => verifyEntryBody(AUTH_POLICY_TYPE, { timestampWindowMs: 60_000, extra: 1, more: 2 })), { code: 'ENTRY_BODY_INVALID', paths: ['body.extra', 'body.more'] });
  t.same(refusal(() => verifyEntryBody(AUTH_POLICY_TYPE, { timestampWindowMs: 'soon' })), { code: 'ENTRY_BODY_INVALID', paths: ['body.timestampWindowMs'] }, 'other issues as before');
  t.same(refusal(() => verifyEntryBody('ledger.teleport', {})), { code: 'ENTRY_TYPE_UNKNOWN', paths: ['type'] }, 'an entry of an unknown type names its type');
});

t.test('a rule-set activation with an unknown member names it', async (t) => {
  const body = { hash: 'a'.repeat(64), name: 'starter', version: '1.0.0', engine: 'x', policy: {}, extra: true };
  const { code, paths } = refusal(() => admitRuleSetActivation(body, 1, { get: () => undefined } as never));
  t.equal(code, 'ENTRY_BODY_INVALID');
  t.ok(paths.includes('body.extra'), `body.extra in ${JSON.stringify(paths)}`);
  t.notOk(paths.includes('body'), 'not the body as a whole');
});

t.test('checkpoint evidence with unknown members names them', async (t) => {
  const evidence = { format: 'rxledger-checkpoint-evidence/v1', kind: 'rollback', origin: 'o', source: 's', observedAt: 't', logKeys: ['k'], earlier: 'e', later: 'l', proof: { from: 1, to: 2, hashes: [], salt: 'x' }, extra: 1 };
  t.same(refusal(() => parseEvidence(JSON.stringify(evidence))), { code: 'EVIDENCE_MALFORMED', paths: ['proof.salt', 'extra'] });
});
