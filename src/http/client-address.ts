/**
 * The key a client address is rate-limited by. An IPv4 address is its own key (an IPv4-mapped
 * IPv6 address, `::ffff:a.b.c.d`, is the IPv4 address). An IPv6 address is keyed by its /64
 * prefix: one host is normally given a whole /64 (RFC 6177, RFC 7934) and can pick any address in
 * it, so keying by the full address would hand it 2^64 fresh budgets.
 *
 * `ip` is what Fastify reports (`request.ip`): the socket's peer, or, with TRUST_PROXY, the
 * address the trusted proxies forwarded. Anything that does not parse is keyed as given (it
 * cannot come from a socket, only from a misconfigured proxy header).
 */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEXTET = /^[0-9a-f]{1,4}$/;

/** The eight hextets of an IPv6 address (lowercase, no zone), or undefined if it is not one. */
function ipv6Hextets(text: string): string[] | undefined {
  let s = text.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two hextets.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (IPV4.test(tail)) {
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    s = `${s.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const hextets = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  return hextets.every((h) => HEXTET.test(h)) ? hextets.map((h) => h.padStart(4, '0')) : undefined;
}

export function clientAddressKey(ip: string): string {
  if (IPV4.test(ip)) return ip;
  const hextets = ipv6Hextets(ip);
  if (hextets === undefined) return ip;
  if (hextets.slice(0, 6).join(':') === '0000:0000:0000:0000:0000:ffff') {
    const v4 = [hextets[6]!, hextets[7]!].flatMap((h) => [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2), 16)]);
    return v4.join('.');
  }
  return `${hextets.slice(0, 4).join(':')}::/64`;
}
