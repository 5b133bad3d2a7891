// A TCP segment to a VIP that has no conntrack entry is dropped, unless a connection of
// this host owns its 4-tuple: HAProxy's, opened while it served the listener, before the
// listener moved to the fast path. Those segments pass to the kernel; a listening socket
// on the VIP port does not make a segment "owned", and a SYN still opens a fast-path flow.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import t from 'tap';
import { tcpPacket, TCP_ACK, TCP_SYN } from '../lib/packets.js';
import { LbFixture, MEMBER_IFACE, XDP_DROP, XDP_PASS, XDP_REDIRECT } from './lb-fixture.js';
import { installServices, TCP_SERVICE, VIP } from './service.js';
import { installIpv6Network, installIpv6Services, TCP6_SERVICE, VIP6 } from './service6.js';

const fx = new LbFixture(t);
installServices(fx);
installIpv6Network(fx);
installIpv6Services(fx);
fx.allowTxPort(MEMBER_IFACE);

// Inside the fixture's namespace: listen on the VIP port, connect to it from loopback,
// print the client's port, and hold both ends until stdin closes.
const HOLDER = `
const net = require('node:net');
const [vip, port, from] = process.argv.slice(1);
const held = [];
const server = net.createServer((s) => held.push(s));
server.listen(Number(port), vip, () => {
  const c = net.connect({ host: vip, port: Number(port), localAddress: from }, () => {
    held.push(c);
    console.log(JSON.stringify({ clientPort: c.localPort }));
  });
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

interface Held {
  clientPort: number;
  stop(): void;
}

async function holdConnection(vip: string, port: number, from: string): Promise<Held> {
  const child: ChildProcess = spawn(
    'nsenter',
    [`--net=/run/netns/${fx.netns}`, process.execPath, '-e', HOLDER, vip, String(port), from],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const stop = (): void => {
    child.stdin?.end();
    child.kill('SIGKILL');
  };
  t.teardown(stop);
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket holder did not connect in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`the socket holder exited (${code})`)));
  });
  return { clientPort: (JSON.parse(line) as { clientPort: number }).clientPort, stop };
}

for (const [family, vip, port, from] of [
  ['IPv4', VIP, TCP_SERVICE.port, '127.0.0.1'],
  ['IPv6', VIP6, TCP6_SERVICE.port, '::1'],
] as const) {
  t.test(`${family}: segments of a local connection on a VIP pass; others stay dropped`, async (t) => {
    fx.addAddress(vip, 'lo'); // the VIP is the amphora's own address, as on an amphora
    const held = await holdConnection(vip, port, from);
    const segment = (sport: number, flags: number): Buffer =>
      tcpPacket({
        src: from,
        dst: vip,
        sport,
        dport: port,
        flags,
        seq: 1000,
        ack: 2000,
        payload: Buffer.from('x'),
      });

    const owned = segment(held.clientPort, TCP_ACK);
    let before = fx.exitPackets('PASS_LOCAL_SOCKET');
    const pass = fx.runOne(owned);
    t.equal(pass.retval, XDP_PASS, "the held connection's segment goes to the kernel");
    t.same(pass.data, owned, 'untouched');
    t.equal(fx.exitPackets('PASS_LOCAL_SOCKET') - before, 1, 'counted as PASS_LOCAL_SOCKET');

    const strayPort = held.clientPort === 65000 ? 65001 : 65000;
    before = fx.exitPackets('DROP_NO_FLOW');
    t.equal(
      fx.runOne(segment(strayPort, TCP_ACK)).retval,
      XDP_DROP,
      'a segment only the listener matches is dropped',
    );
    t.equal(fx.exitPackets('DROP_NO_FLOW') - before, 1, 'counted as DROP_NO_FLOW');

    const syn = fx.runOne(segment(strayPort, TCP_SYN));
    t.not(syn.retval, XDP_PASS, 'a SYN opens a fast-path flow, listener or not');
    t.equal(syn.retval, XDP_REDIRECT, 'to a member');

    held.stop();
  });
}
