/** The service's logger censors identity-shaped members wherever a log call might pass them. */
import t from 'tap';
import { Writable } from 'node:stream';
import { createServiceLogger, REDACTED } from '../src/service-logger.js';

t.test('identity fields and request parts are censored, ids and codes are kept', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createServiceLogger('debug', sink);
  const identity = { name: '测试患者1', nationalId: '370102197001010011', phone: '13900000001', address: { region: '370102', line: '历下区测试路1号', recipient: '测试患者1' } };
  logger.info({ actorId: 'dr-li', code: 'REQUEST_INVALID', identity }, 'one');
  logger.info({ req: { body: { statement: { payload: { identity } } } } }, 'two');
  logger.info({ nested: { deeper: { phone: identity.phone, nationalId: identity.nationalId, address: identity.address } } }, 'three');
  logger.child({ reqId: 'r1' }).warn({ payload: { identity } }, 'four');
  const text = lines.join('');
  for (const value of [identity.name, identity.nationalId, identity.phone, identity.address.line]) t.notOk(text.includes(value), `${value} is not in the log`);
  t.equal(lines.length, 4);
  t.match(JSON.parse(lines[0]!), { actorId: 'dr-li', code: 'REQUEST_INVALID', identity: REDACTED, msg: 'one', service: 'rxledger' });
  t.match(JSON.parse(lines[2]!), { nested: { deeper: { phone: REDACTED, nationalId: REDACTED, address: REDACTED } } });
  t.equal(JSON.parse(lines[1]!).req.body, REDACTED);
});
