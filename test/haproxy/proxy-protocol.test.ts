// PROXY protocol v1/v2 headers as a member receives them, and connection_limit.
// Loopback 127.209.2.0/24.
import t from 'tap';
import { connect, type Socket } from 'node:net';
import {
  amphora,
  eventually,
  exchange,
  freePort,
  listener,
  managerFor,
  member,
  pool,
  startMember,
} from './helpers.js';

const VIP = '127.209.2.1';
const CLIENT = '127.209.2.50';
const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

interface ProxyV2 {
  command: number;
  family: number;
  source: string;
  sourcePort: number;
  dest: string;
  destPort: number;
}

/** Parses a PROXY v2 header (TCP over IPv4) as a member would. */
function parseProxyV2(buf: Buffer): ProxyV2 {
  if (!buf.subarray(0, 12).equals(V2_SIGNATURE))
    throw new Error(`no PROXY v2 signature: ${buf.toString('hex')}`);
  const ip = (at: number) => [...buf.subarray(at, at + 4)].join('.');
  return {
    command: buf[12]!,
    family: buf[13]!,
    source: ip(16),
    dest: ip(20),
    sourcePort: buf.readUInt16BE(24),
    destPort: buf.readUInt16BE(26),
  };
}

/** A member that answers once it has seen the header and the client's bytes. */
function greetAfter(bytes: number) {
  return (sock: Socket) => {
    let seen = 0;
    sock.on('data', (d: Buffer) => {
      seen += d.length;
      if (seen >= bytes) sock.end('ok\n');
    });
  };
}

t.test('PROXYV2 pool: the member parses a v2 header with the client and VIP addresses', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const m = await startMember(t, 'm', '127.209.2.11', greetAfter(28 + 5));
  await manager.apply(
    amphora(
      [listener({ vip_address: VIP, protocol_port: port })],
      [pool([member('m', m.address, m.port)], { protocol: 'PROXYV2' })],
    ),
    ['l1'],
  );
  const sock = connect({ host: VIP, port, localAddress: CLIENT });
  await new Promise((r) => sock.once('connect', r));
  const clientPort = sock.localPort!;
  sock.write('hello');
  const answer = await new Promise<string>((resolve) =>
    sock.once('data', (d: Buffer) => resolve(d.toString())),
  );
  sock.destroy();
  t.equal(answer, 'ok\n');
  const header = parseProxyV2(Buffer.concat(m.firstBytes.length ? [m.firstBytes[0]!] : []));
  t.match(header, {
    command: 0x21, // version 2, PROXY
    family: 0x11, // TCP over IPv4
    source: CLIENT,
    sourcePort: clientPort,
    dest: VIP,
    destPort: port,
  });
});

t.test('PROXY pool: the member reads a v1 line before the data', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const m = await startMember(t, 'm', '127.209.2.12', (sock) => {
    let text = '';
    sock.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.endsWith('hello')) sock.end(text);
    });
  });
  await manager.apply(
    amphora(
      [listener({ vip_address: VIP, protocol_port: port })],
      [pool([member('m', m.address, m.port)], { protocol: 'PROXY' })],
    ),
    ['l1'],
  );
  const echoed = await exchange(VIP, port, { localAddress: CLIENT, send: 'hello' });
  t.match(echoed, new RegExp(`^PROXY TCP4 ${CLIENT} ${VIP} \\d+ ${port}\\r\\nhello$`));
});

t.test('connection_limit: the listener serves that many connections at once', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const m = await startMember(t, 'held', '127.209.2.13', (sock) => sock.write('held\n')); // never closes
  await manager.apply(
    amphora(
      [listener({ vip_address: VIP, protocol_port: port, connection_limit: 2 })],
      [pool([member('m', m.address, m.port)])],
    ),
    ['l1'],
  );
  const open: Socket[] = [];
  t.teardown(() => open.forEach((s) => s.destroy()));
  const greeted: boolean[] = [];
  for (let i = 0; i < 3; i++) {
    const sock = connect({ host: VIP, port });
    open.push(sock);
    greeted.push(false);
    sock.on('data', () => (greeted[i] = true));
    sock.on('error', () => {});
  }
  await eventually('two connections served', () => (greeted[0] && greeted[1] ? true : undefined));
  await new Promise((r) => setTimeout(r, 1000));
  t.notOk(greeted[2], 'the third waits while two are open');
  open[0]!.destroy();
  await eventually('the third served once one closes', () => (greeted[2] ? true : undefined));
  t.pass('the third is served after one closes');
});
