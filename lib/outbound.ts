// Requests Handoff makes to addresses its users chose (webhooks, chat incoming webhooks) reach
// only the public internet: a receiver's host is resolved, every address it resolves to is
// checked against the ranges that lead inside (loopback, private, link-local with the cloud
// metadata endpoints, CGNAT, unique-local, unspecified, multicast, reserved; IPv4 inside IPv6
// by the IPv4 rules), and the connection goes to the address that was checked, so a name that
// resolves differently a moment later (DNS rebinding) cannot move it. Redirects are never
// followed. HANDOFF_OUTBOUND_ALLOW names the hosts and CIDRs an operator lets through on purpose.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { BlockList } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all of its addresses (injectable so tests can play a hostile DNS). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

/** Why an address is refused, by the name of its range; undefined for a public address. */
const REFUSED_V4: [cidr: string, range: string][] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

// IPv6 outside global unicast (2000::/3) is refused as a whole; these are the finer ranges.
const REFUSED_V6: [cidr: string, range: string][] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
  ['2001::/23', 'reserved'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
];

function blockListOf(ranges: [string, string][], family: 'ipv4' | 'ipv6') {
  return ranges.map(([cidr, range]) => {
    const [address, prefix] = cidr.split('/') as [string, string];
    const list = new BlockList();
    list.addSubnet(address, Number(prefix), family);
    return { list, range };
  });
}

const V4_RANGES = blockListOf(REFUSED_V4, 'ipv4');
const V6_RANGES = blockListOf(REFUSED_V6, 'ipv6');
const GLOBAL_UNICAST = new BlockList();
GLOBAL_UNICAST.addSubnet('2000::', 3, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included). */
function groupsOf(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -dotted[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  return tail === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

const v4Of = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/**
 * The IPv4 address an IPv6 address carries and reaches: IPv4-mapped (::ffff:a.b.c.d), NAT64
 * (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::); undefined for other addresses.
 */
export function embeddedIPv4(address: string): string | undefined {
  const g = groupsOf(address);
  if (g.length !== 8) return undefined;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return v4Of(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4Of(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4Of(g[1]!, g[2]!);
  return undefined;
}

/**
 * Why an address may not be reached from Handoff (the name of its range, such as loopback or
 * private), or undefined for a public address. Anything that is not an IP address is refused.
 */
export function refusedRange(address: string): string | undefined {
  // A zone (fe80::1%eth0) names an interface, not another address.
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = net.isIP(bare);
  if (family === 4) return V4_RANGES.find(({ list }) => list.check(bare, 'ipv4'))?.range;
  if (family !== 6) return 'not an IP address';
  const v4 = embeddedIPv4(bare);
  if (v4 !== undefined) return refusedRange(v4);
  const range = V6_RANGES.find(({ list }) => list.check(bare, 'ipv6'))?.range;
  if (range) return range;
  return GLOBAL_UNICAST.check(bare, 'ipv6') ? undefined : 'reserved';
}

/** The hosts and networks an operator lets through on purpose (HANDOFF_OUTBOUND_ALLOW). */
export interface OutboundAllowList {
  /** The entries as written, normalised (lower-case hosts, CIDRs). */
  entries: string[];
  hosts: Set<string>;
  networks: BlockList;
}

export class OutboundAllowError extends Error {
  override name = 'OutboundAllowError';
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * Reads a comma-separated list of host names, addresses and CIDRs (`127.0.0.1/32,10.1.2.0/24,
 * receiver.internal,fd00::/8`); throws OutboundAllowError naming the first entry that is none.
 */
export function parseOutboundAllow(text: string | undefined): OutboundAllowList {
  const entries: string[] = [];
  const hosts = new Set<string>();
  const networks = new BlockList();
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim().toLowerCase().replace(/\.$/, '');
    if (!entry) continue;
    const [addressPart, prefixPart, extra] = entry.split('/');
    const address = addressPart!.replace(/^\[(.*)\]$/, '$1');
    const family = net.isIP(address);
    if (family !== 0) {
      const bits = family === 4 ? 32 : 128;
      const prefix = prefixPart === undefined ? bits : /^\d{1,3}$/.test(prefixPart) ? Number(prefixPart) : NaN;
      if (extra !== undefined || !(prefix >= 0 && prefix <= bits)) throw new OutboundAllowError(`not a CIDR: ${raw.trim()}`);
      networks.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
      entries.push(`${address}/${prefix}`);
    } else if (prefixPart === undefined && HOST_NAME.test(entry) && !/^[\d.]+$/.test(entry)) {
      hosts.add(entry);
      entries.push(entry);
    } else {
      throw new OutboundAllowError(`not a host name, address or CIDR: ${raw.trim()}`);
    }
  }
  return { entries, hosts, networks };
}

/** A receiver's address that is refused; its message names the host, the address and the range. */
export class OutboundRefusedError extends Error {
  override name = 'OutboundRefusedError';
  readonly code = 'EOUTBOUND_REFUSED';
}

export interface OutboundPolicy {
  allow: OutboundAllowList;
  resolve: Resolver;
}

export function outboundPolicy(allow: string | string[] = [], resolve: Resolver = systemResolver): OutboundPolicy {
  return { allow: parseOutboundAllow(Array.isArray(allow) ? allow.join(',') : allow), resolve };
}

function allowedAddress(allow: OutboundAllowList, address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  if (allow.networks.check(address, family === 4 ? 'ipv4' : 'ipv6')) return true;
  const v4 = family === 6 ? embeddedIPv4(address) : undefined;
  return v4 !== undefined && allow.networks.check(v4, 'ipv4');
}

export interface CheckedTarget {
  url: URL;
  /** The host as the URL names it, without brackets: sent as Host and as the TLS server name. */
  host: string;
  /** The address the connection goes to. */
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a receiver's URL and checks every address its host resolves to; throws
 * OutboundRefusedError when the scheme is not http(s) or any address is refused and not
 * allowed, and the resolver's error when the name does not resolve. WHATWG URL parsing has
 * already turned numeric host forms (0x7f000001, 2130706433, 0177.0.0.1) into dotted addresses.
 */
export async function checkOutboundUrl(target: string | URL, policy: OutboundPolicy): Promise<CheckedTarget> {
  const url = new URL(target);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRefusedError(`address not allowed: only http and https (not ${url.protocol})`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const hostAllowed = policy.allow.hosts.has(host.replace(/\.$/, ''));
  const addresses: ResolvedAddress[] = net.isIP(host) ? [{ address: host, family: net.isIP(host) }] : await policy.resolve(host);
  if (addresses.length === 0) throw new OutboundRefusedError(`address not allowed: ${host} resolves to no address`);
  for (const { address } of addresses) {
    const range = refusedRange(address);
    if (range && !hostAllowed && !allowedAddress(policy.allow, address)) {
      throw new OutboundRefusedError(`address not allowed: ${host === address ? address : `${host} resolves to ${address}`} (${range})`);
    }
  }
  const first = addresses[0]!;
  return { url, host, address: first.address, family: first.family === 6 ? 6 : 4 };
}

export interface OutboundRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
}

/**
 * Checks the URL, then sends one request to the checked address (the lookup is pinned to it;
 * the Host header and TLS server name stay the URL's). The answer's body is read and dropped; a
 * redirect is returned as it is, never followed. Aborts with a TimeoutError after timeoutMs,
 * resolving the name included.
 */
export async function outboundRequest(target: string, request: OutboundRequest, policy: OutboundPolicy): Promise<OutboundResponse> {
  const signal = AbortSignal.timeout(request.timeoutMs);
  const checked = await Promise.race([
    checkOutboundUrl(target, policy),
    new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true })),
  ]);
  const { url, address, family } = checked;
  const pinned = (_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<OutboundResponse>((resolve, reject) => {
    const fail = (err: Error) => reject(signal.aborted ? Object.assign(new Error(`timed out after ${request.timeoutMs} ms`), { name: 'TimeoutError', cause: err }) : err);
    const req = send(url, { method: request.method ?? 'POST', headers: request.headers, lookup: pinned as never, agent: false, signal }, (res) => {
      res.on('error', fail);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.resume();
    });
    req.on('error', fail);
    req.end(request.body);
  });
}
