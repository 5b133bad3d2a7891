// Path-MTU discovery through the balancer, end to end: the member network's MTU is smaller
// than the client's (1400 vs 1500, as with a VXLAN tenant network). A client's datagram
// too big for the member side comes back as ICMP "fragmentation needed" / "packet too
// big" from the VIP, and the client's kernel lowers its path MTU to the VIP, where the
// datagram used to vanish.
import t from 'tap';
import { L4Lab } from './l4-harness.js';
import { PORT } from './l4-config.js';

const MEMBER_MTU = 1400;
const DATAGRAM = 1450 - 48; // an IPv6 packet of 1450 bytes; as IPv4, 1430

// Sends one datagram of `size` bytes (Linux sets DF on UDP by default: IP_PMTUDISC_WANT).
const SEND = `
const dgram = require('node:dgram');
const [host, port, size] = process.argv.slice(1);
const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
s.send(Buffer.alloc(Number(size), 0x5a), Number(port), host, (err) => { if (err) throw err; s.close(); });
`;

async function cachedMtu(lab: L4Lab, host: string): Promise<string> {
  let route = '';
  for (let i = 0; i < 50; i++) {
    route = lab.net.ip(lab.client, ...(host.includes(':') ? ['-6'] : []), 'route', 'get', host);
    if (/\bmtu \d+/.test(route)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return route;
}

t.test('path MTU discovery through the balancer', async (t) => {
  const lab = await L4Lab.create(t, { tag: 'p', subnet: 70, members: 1 });
  lab.net.ip(lab.amp, 'link', 'set', 'vxlmem0', 'mtu', String(MEMBER_MTU));

  for (const [family, host] of [
    [4, lab.vip],
    [6, lab.vip6],
  ] as const) {
    await lab.apply({ family, members: ['m1'], protocols: ['UDP'] });
    const before = lab.exitPackets('icmp_too_big');
    t.notMatch(
      lab.net.ip(lab.client, ...(host.includes(':') ? ['-6'] : []), 'route', 'get', host),
      /\bmtu \d+/,
      `${host}: no path MTU known yet`,
    );
    lab.net.exec(lab.client, process.execPath, ['-e', SEND, host, String(PORT), String(DATAGRAM)]);
    t.match(
      await cachedMtu(lab, host),
      new RegExp(`\\bmtu ${MEMBER_MTU}\\b`),
      `${host}: the client learnt the member side's MTU`,
    );
    t.ok(
      lab.exitPackets('icmp_too_big') > before,
      `${host}: the agent counts the error it sent (icmp_too_big)`,
    );
  }
});
