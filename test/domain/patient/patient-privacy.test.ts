import t from 'tap';
import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from '../../../src/core/canonical-json.js';
import { identityCommitment, normaliseNationalId, patientPseudonym } from '../../../src/domain/patient/patient-privacy.js';
import { throwsCode } from '../../support/assert-code.js';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);
const SALT = new Uint8Array(32).fill(0x5a);
const ID = { name: '王五', nationalId: '37010219580302123x' };

t.test('pseudonym: keyed, normalised, and checked against an independent HMAC', async (t) => {
  const expected = createHmac('sha256', KEY).update('rxledger/patient-pseudonym/v1\n37010219580302123X').digest('hex');
  t.equal(patientPseudonym(KEY, '37010219580302123x'), expected);
  t.equal(patientPseudonym(KEY, ' 37010219580302123X '), expected, 'case and surrounding space do not change it');
  t.not(patientPseudonym(new Uint8Array(32).fill(1), '37010219580302123X'), expected, 'another deployment, another pseudonym');
  throwsCode(t, () => normaliseNationalId('3701021958030212'), 'REQUEST_INVALID');
  throwsCode(t, () => patientPseudonym(KEY.slice(1), '37010219580302123X'), 'KEY_MALFORMED');
});

t.test('commitment: salted hash of the canonical identity record', async (t) => {
  const expected = createHash('sha256').update('rxledger/identity-commitment/v1\n').update(SALT).update(canonicalJson(ID)).digest('hex');
  t.equal(identityCommitment(SALT, ID), expected);
  t.not(identityCommitment(new Uint8Array(32).fill(1), ID), expected, 'without the salt it cannot be recomputed');
  t.not(identityCommitment(SALT, { ...ID, name: '王六' }), expected);
});
