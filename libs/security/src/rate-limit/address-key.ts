import { isIPv6 } from 'node:net';

/**
 * The key an address is counted under: an IPv4 address as itself (also when it arrives IPv4-mapped, as
 * `::ffff:a.b.c.d` on a dual-stack socket), an IPv6 address by its /64 — one host usually holds a whole
 * /64 (RFC 6177), so counting single IPv6 addresses would give a guesser 2^64 fresh budgets.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
