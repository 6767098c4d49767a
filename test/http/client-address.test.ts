/** The rate-limit key of a client address: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by /64. */
import t from 'tap';
import { clientAddressKey } from '../../src/http/client-address.js';

t.test('keys', async (t) => {
  const cases: Array<[string, string]> = [
    ['127.0.0.1', '127.0.0.1'],
    ['203.0.113.200', '203.0.113.200'],
    ['::ffff:203.0.113.200', '203.0.113.200'],
    ['::FFFF:cb00:71c8', '203.0.113.200'],
    ['::1', '0000:0000:0000:0000::/64'],
    ['2001:db8::1', '2001:0db8:0000:0000::/64'],
    ['2001:db8:0:0:ffff:1:2:3', '2001:0db8:0000:0000::/64'],
    ['2001:DB8:aa:bb::', '2001:0db8:00aa:00bb::/64'],
    ['fe80::1%eth0', 'fe80:0000:0000:0000::/64'],
    ['64:ff9b::203.0.113.1', '0064:ff9b:0000:0000::/64'],
  ];
  for (const [ip, key] of cases) t.equal(clientAddressKey(ip), key, ip);
  t.equal(clientAddressKey('2001:db8::1'), clientAddressKey('2001:db8:0:0:9:9:9:9'), 'one /64, one key');
  t.not(clientAddressKey('2001:db8:0:1::1'), clientAddressKey('2001:db8:0:2::1'), 'neighbouring /64s differ');
  for (const odd of ['', 'not-an-address', '1:2:3', '1::2::3', '1.2.3.256', '12345::']) t.equal(clientAddressKey(odd), odd, `unparsable ${JSON.stringify(odd)} is keyed as given`);
});
