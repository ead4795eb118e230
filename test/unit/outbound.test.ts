// Which addresses webhooks and chat posts may reach: the refused ranges (IPv4 and IPv6, IPv4
// inside IPv6, numeric host forms as WHATWG URL reads them), the operator's allow list, and
// host names checked by every address they resolve to.
import { ConfigError, loadConfig } from '../../lib/config';
import { checkOutboundUrl, embeddedIPv4, OutboundAllowError, OutboundRefusedError, outboundPolicy, parseOutboundAllow, refusedRange, type Resolver } from '../../lib/outbound';

const NOTHING_ALLOWED = outboundPolicy('');
const unreachableDns: Resolver = async (host) => {
  throw Object.assign(new Error(`no DNS in this test: ${host}`), { code: 'ENOTFOUND' });
};

describe('refusedRange', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fd00::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2001:db8::1', 'documentation'],
    ['::7f00:1', 'reserved'],
    ['receiver.internal', 'not an IP address'],
  ])('%s is refused (%s)', (address, range) => {
    expect(refusedRange(address)).toBe(range);
  });

  test.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:93.184.216.34', '2002:5db8:d822::'])('%s is public', (address) => {
    expect(refusedRange(address)).toBeUndefined();
  });

  test('IPv4 inside IPv6 is read out of mapped, NAT64 and 6to4 addresses only', () => {
    expect(embeddedIPv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIPv4('64:ff9b::808:808')).toBe('8.8.8.8');
    expect(embeddedIPv4('2002:0a00:0001::1')).toBe('10.0.0.1');
    expect(embeddedIPv4('2606:4700::1111')).toBeUndefined();
  });
});

describe('checkOutboundUrl', () => {
  test.each([
    ['http://127.0.0.1/hook', '127.0.0.1 (loopback)'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 (link-local)'],
    ['http://[::1]:8080/hook', '::1 (loopback)'],
    ['http://10.0.0.1/hook', '10.0.0.1 (private)'],
    ['http://[::ffff:127.0.0.1]/hook', '::ffff:7f00:1 (loopback)'],
    ['http://0x7f000001/hook', '127.0.0.1 (loopback)'],
    ['http://2130706433/hook', '127.0.0.1 (loopback)'],
    ['http://0177.0.0.1/hook', '127.0.0.1 (loopback)'],
    ['http://127.1/hook', '127.0.0.1 (loopback)'],
    ['https://100.64.0.1/hook', '100.64.0.1 (carrier-grade NAT)'],
    ['https://[fd00::1]/hook', 'fd00::1 (unique-local)'],
    ['http://0.0.0.0:3000/', '0.0.0.0 (unspecified)'],
  ])('%s is refused, numeric forms read as WHATWG URL reads them', async (url, detail) => {
    const refused = checkOutboundUrl(url, outboundPolicy('', unreachableDns));
    await expect(refused).rejects.toBeInstanceOf(OutboundRefusedError);
    await expect(refused).rejects.toThrow(`address not allowed: ${detail}`);
  });

  test('a public address passes as it is, without a lookup', async () => {
    await expect(checkOutboundUrl('https://93.184.216.34/hook', outboundPolicy('', unreachableDns))).resolves.toMatchObject({ address: '93.184.216.34', family: 4, host: '93.184.216.34' });
  });

  test('only http and https are spoken', async () => {
    await expect(checkOutboundUrl('file:///etc/passwd', NOTHING_ALLOWED)).rejects.toThrow(/only http and https/);
    await expect(checkOutboundUrl('gopher://93.184.216.34/', NOTHING_ALLOWED)).rejects.toThrow(/only http and https/);
  });

  test('a host name is refused when any address it resolves to is refused, and checked as resolved', async () => {
    const resolver: Resolver = async (host) =>
      ({
        'hooks.public.example': [{ address: '93.184.216.34', family: 4 }, { address: '2606:4700::1111', family: 6 }],
        'metadata.evil.example': [{ address: '169.254.169.254', family: 4 }],
        'mixed.evil.example': [{ address: '93.184.216.34', family: 4 }, { address: '::1', family: 6 }],
        'mapped.evil.example': [{ address: '::ffff:10.0.0.1', family: 6 }],
      })[host] ?? [];
    const policy = outboundPolicy('', resolver);
    await expect(checkOutboundUrl('https://hooks.public.example/h', policy)).resolves.toMatchObject({ host: 'hooks.public.example', address: '93.184.216.34' });
    await expect(checkOutboundUrl('https://metadata.evil.example/h', policy)).rejects.toThrow('metadata.evil.example resolves to 169.254.169.254 (link-local)');
    await expect(checkOutboundUrl('https://mixed.evil.example/h', policy)).rejects.toThrow('mixed.evil.example resolves to ::1 (loopback)');
    await expect(checkOutboundUrl('https://mapped.evil.example/h', policy)).rejects.toThrow('(private)');
    await expect(checkOutboundUrl('https://nowhere.example/h', policy)).rejects.toThrow('resolves to no address');
  });

  test('the allow list lets 127.0.0.1/32, an allowed network and an allowed host through, and nothing else', async () => {
    const resolver: Resolver = async (host) => [{ address: /^receiver\.internal\.?$/.test(host) ? '10.9.9.9' : '10.1.2.3', family: 4 }];
    const policy = outboundPolicy('127.0.0.1/32,10.1.2.0/24,receiver.internal,fd00::/8', resolver);
    await expect(checkOutboundUrl('http://127.0.0.1:4000/hook', policy)).resolves.toMatchObject({ address: '127.0.0.1' });
    await expect(checkOutboundUrl('http://[::ffff:127.0.0.1]/hook', policy)).resolves.toMatchObject({ address: '::ffff:7f00:1' });
    await expect(checkOutboundUrl('http://127.0.0.2/hook', policy)).rejects.toThrow('127.0.0.2 (loopback)');
    await expect(checkOutboundUrl('http://hooks.office.example/hook', policy)).resolves.toMatchObject({ address: '10.1.2.3' });
    await expect(checkOutboundUrl('http://Receiver.Internal./hook', policy)).resolves.toMatchObject({ address: '10.9.9.9' });
    await expect(checkOutboundUrl('http://[fd00::1]/hook', policy)).resolves.toMatchObject({ address: 'fd00::1' });
    await expect(checkOutboundUrl('http://169.254.169.254/', policy)).rejects.toThrow('(link-local)');
  });
});

describe('HANDOFF_OUTBOUND_ALLOW', () => {
  test('reads hosts, addresses and CIDRs, IPv4 and IPv6; nothing by default', () => {
    expect(loadConfig({}).outboundAllow).toEqual([]);
    expect(loadConfig({ HANDOFF_OUTBOUND_ALLOW: ' 127.0.0.1/32, 10.1.2.0/24 ,Receiver.Internal,::1,fd00::/8,[fe80::1]' }).outboundAllow).toEqual([
      '127.0.0.1/32',
      '10.1.2.0/24',
      'receiver.internal',
      '::1/128',
      'fd00::/8',
      'fe80::1/128',
    ]);
  });

  test.each(['10.0.0.0/33', '10.0.0.0/8/8', '10.0.0', 'http://receiver.internal', '*.internal', 'fd00::/129', '10.0.0.0/x'])('a bad entry (%s) refuses the start, naming the variable', (entry) => {
    expect(() => parseOutboundAllow(entry)).toThrow(OutboundAllowError);
    expect(() => loadConfig({ HANDOFF_OUTBOUND_ALLOW: `127.0.0.1/32,${entry}` })).toThrow(ConfigError);
    expect(() => loadConfig({ HANDOFF_OUTBOUND_ALLOW: `127.0.0.1/32,${entry}` })).toThrow(new RegExp(`HANDOFF_OUTBOUND_ALLOW: .*${entry.replace(/[.*/[\]]/g, '\\$&')}`));
  });
});
