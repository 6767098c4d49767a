/** The paths of schema issues: each unknown member named on its own, under a prefix, distinct, bounded. */
import t from 'tap';
import { z } from 'zod';
import { issuePaths, zodIssuePaths } from '../../src/core/issue-paths.js';

const Schema = z.strictObject({
  statement: z.strictObject({ action: z.string(), payload: z.strictObject({ prescription: z.strictObject({ id: z.string() }) }) }),
  signature: z.string(),
});

function issuesOf(value: unknown) {
  const parsed = Schema.safeParse(value);
  if (parsed.success) throw new Error('expected a failure');
  return parsed.error.issues;
}

const good = { statement: { action: 'rx.submit', payload: { prescription: { id: 'rx-1' } } }, signature: 's' };

t.test('an ordinary issue names its own path under the prefix', async (t) => {
  t.same(zodIssuePaths(issuesOf({ ...good, signature: 1 }), ['body']), ['body.signature']);
  t.same(zodIssuePaths(issuesOf({ ...good, statement: { ...good.statement, payload: { prescription: { id: 7 } } } }), ['body']), ['body.statement.payload.prescription.id']);
  t.same(zodIssuePaths(issuesOf({ ...good, signature: 1 })), ['signature'], 'no prefix');
  t.same(zodIssuePaths(issuesOf('not an object')), [''], 'the root, without a prefix, is the empty path');
});

t.test('an unknown member is named, not the object that holds it', async (t) => {
  t.same(zodIssuePaths(issuesOf({ ...good, extra: 1 }), ['body']), ['body.extra'], 'at the top');
  t.same(
    zodIssuePaths(issuesOf({ ...good, statement: { ...good.statement, payload: { prescription: { id: 'rx-1', colour: 'red' } } } }), ['body']),
    ['body.statement.payload.prescription.colour'],
    'nested in the payload',
  );
  t.same(zodIssuePaths(issuesOf({ ...good, extra: 1, more: 2 }), ['body']), ['body.extra', 'body.more'], 'two unknown members: two paths');
  t.same(zodIssuePaths(issuesOf({ ...good, extra: 1 })), ['extra'], 'no prefix');
  t.same(
    zodIssuePaths(issuesOf({ ...good, signature: 1, statement: { ...good.statement, colour: 'red' } }), ['body']),
    ['body.statement.colour', 'body.signature'],
    'alongside other issues, in order',
  );
});

t.test('issuePaths: one issue, one path per unknown member', async (t) => {
  t.same(issuePaths({ code: 'unrecognized_keys', keys: ['a', 'b'], path: ['x', 0] }, ['body']), ['body.x.0.a', 'body.x.0.b']);
  t.same(issuePaths({ code: 'invalid_type', path: ['x', 0] }, ['query']), ['query.x.0']);
  t.same(issuePaths({ code: 'unrecognized_keys', keys: [], path: ['x'] }), ['x'], 'no keys listed: the object itself');
});

t.test('zodIssuePaths: distinct and bounded', async (t) => {
  const issues = [
    { code: 'custom', path: ['a'] },
    { code: 'custom', path: ['a'] },
    { code: 'unrecognized_keys', keys: ['k1', 'k2', 'k3'], path: [] },
  ];
  t.same(zodIssuePaths(issues, ['body']), ['body.a', 'body.k1', 'body.k2', 'body.k3'], 'duplicates once');
  t.same(zodIssuePaths(issues, ['body'], 2), ['body.a', 'body.k1'], 'at most the limit');
  const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
  t.equal(zodIssuePaths(issuesOf({ ...good, ...many }), ['body'], 32).length, 32, 'a hostile number of unknown members is cut short');
});
