// Auto last hop: replies go back to the MAC and interface the client's first packet came
// from, not where the amphora's neighbour table says. A client that has the VIP's MAC
// cached never ARPs, so the amphora may have no neighbour entry for it (or its router).
import t from 'tap';
import { IPPROTO_TCP, LB_DIR_REVERSE, macToBytes } from '../../src/dataplane/codecs.js';
import {
  ipChecksumValid,
  l4ChecksumValid,
  parsePacket,
  tcpPacket,
  TCP_ACK,
  TCP_SYN,
  type TcpSpec,
} from '../lib/packets.js';
import {
  CLIENT,
  CLIENT_IFACE,
  CLIENT_NET_MAC,
  LbFixture,
  MEMBERS,
  MEMBER_IFACE,
  MEMBER_NET_MAC,
  SNAT_ADDR,
  XDP_DROP,
  XDP_REDIRECT,
} from './lb-fixture.js';
import { installServices, memberIndex, TCP_SERVICE, VIP } from './service.js';

const fx = new LbFixture(t);
installServices(fx);
fx.allowTxPort(MEMBER_IFACE);
const clientIfindex = fx.allowTxPort(CLIENT_IFACE);

// A client on another network, behind a router the amphora has no route or neighbour for.
const ROUTED_CLIENT = '10.200.9.10';
const ROUTER_MAC = '02:00:0a:c8:01:fe';

const syn = (src: string, srcMac: string, sport: number): TcpSpec => ({
  srcMac,
  dstMac: CLIENT_NET_MAC,
  src,
  dst: VIP,
  sport,
  dport: TCP_SERVICE.port,
  flags: TCP_SYN,
  seq: 0x01020304,
  payload: Buffer.from('hello'),
});

/** The member's SYN-ACK to the SNAT address and port that `forwarded` (the SYN, rewritten) came from. */
function synAckFor(forwarded: Buffer): TcpSpec {
  const out = parsePacket(forwarded);
  const member = MEMBERS[memberIndex(out.dst)]!;
  return {
    srcMac: member.mac,
    dstMac: MEMBER_NET_MAC,
    src: member.addr,
    dst: SNAT_ADDR,
    sport: TCP_SERVICE.memberPort,
    dport: out.sport,
    flags: TCP_SYN | TCP_ACK,
    seq: 0x0a0b0c0d,
    ack: 0x01020305,
    payload: Buffer.from('world'),
  };
}

/** The SYN-ACK as the client must receive it: from the VIP, to its port, via `l2`. */
function expectedReply(
  synAck: TcpSpec,
  client: string,
  sport: number,
  l2: { dst: string; src: string },
): Buffer {
  return tcpPacket({
    ...synAck,
    srcMac: l2.src,
    dstMac: l2.dst,
    src: VIP,
    dst: client,
    sport: TCP_SERVICE.port,
    dport: sport,
    ttl: 63,
  });
}

/** Destination then source MAC, as the first 12 bytes of a frame. */
function macBytes(l2: { dst: string; src: string }): Buffer {
  return Buffer.concat([macToBytes(l2.dst), macToBytes(l2.src)]);
}

t.test('a reply reaches a client the amphora has no neighbour entry for', async (t) => {
  const sport = 47000;
  const first = fx.runOn(CLIENT_IFACE, tcpPacket(syn(CLIENT.addr, CLIENT.mac, sport)));
  t.equal(first.retval, XDP_REDIRECT, 'the SYN creates the flow');

  // As if the entry aged out: the client has the VIP's MAC cached and will not ARP.
  fx.deleteNeighbour(CLIENT.addr, CLIENT_IFACE);
  t.teardown(() => fx.setNeighbour(CLIENT.addr, CLIENT.mac, CLIENT_IFACE));
  t.equal(fx.neighbour(CLIENT.addr, CLIENT_IFACE), '', 'no neighbour entry for the client');

  const synAck = synAckFor(first.data);
  t.match(fx.flow({ ...synAck, proto: IPPROTO_TCP }), {
    dir: LB_DIR_REVERSE,
    l2Dst: CLIENT.mac,
    l2Src: CLIENT_NET_MAC,
    ifindex: clientIfindex,
  });
  const dropsBefore = fx.exitPackets('DROP_FIB');
  const reply = fx.runOn(MEMBER_IFACE, tcpPacket(synAck));
  t.equal(reply.retval, XDP_REDIRECT, 'redirected to the recorded interface');
  const l2 = { dst: CLIENT.mac, src: CLIENT_NET_MAC };
  t.same(reply.data.subarray(0, 12), macBytes(l2), 'MACs, byte for byte');
  t.same(
    reply.data.toString('hex'),
    expectedReply(synAck, CLIENT.addr, sport, l2).toString('hex'),
    'translated back to VIP -> client',
  );
  t.ok(ipChecksumValid(reply.data) && l4ChecksumValid(reply.data), 'checksums');
  t.equal(fx.exitPackets('DROP_FIB'), dropsBefore, 'no FIB drop');
});

t.test('a reply to a client behind a router goes to the router the SYN came through', async (t) => {
  const sport = 47100;
  const first = fx.runOn(CLIENT_IFACE, tcpPacket(syn(ROUTED_CLIENT, ROUTER_MAC, sport)));
  t.equal(first.retval, XDP_REDIRECT, 'the SYN creates the flow');

  const synAck = synAckFor(first.data);
  const reply = fx.runOn(MEMBER_IFACE, tcpPacket(synAck));
  t.equal(reply.retval, XDP_REDIRECT, 'sent although the amphora has no route to the client');
  const l2 = { dst: ROUTER_MAC, src: CLIENT_NET_MAC };
  t.same(reply.data.subarray(0, 12), macBytes(l2), 'MACs, byte for byte');
  t.same(reply.data.toString('hex'), expectedReply(synAck, ROUTED_CLIENT, sport, l2).toString('hex'));
});

t.test('when the recorded interface may not be redirected to, the FIB decides', async (t) => {
  // Arriving on loopback (not in lb_tx_ports), the SYN records an interface replies cannot use.
  const sport = 47200;
  const first = fx.runOne(tcpPacket(syn(CLIENT.addr, CLIENT.mac, sport)));
  t.equal(first.retval, XDP_REDIRECT);
  const synAck = synAckFor(first.data);
  t.not(fx.flow({ ...synAck, proto: IPPROTO_TCP })?.ifindex, clientIfindex);

  fx.deleteNeighbour(CLIENT.addr, CLIENT_IFACE);
  t.teardown(() => fx.setNeighbour(CLIENT.addr, CLIENT.mac, CLIENT_IFACE));
  const dropsBefore = fx.exitPackets('DROP_FIB');
  t.equal(fx.runOn(MEMBER_IFACE, tcpPacket(synAck)).retval, XDP_DROP, 'no neighbour: dropped, as before');
  t.equal(fx.exitPackets('DROP_FIB'), dropsBefore + 1, 'counted as DROP_FIB');

  const fibMac = '02:00:0a:c8:01:0b'; // a MAC the FIB knows and the SYN did not carry
  fx.setNeighbour(CLIENT.addr, fibMac, CLIENT_IFACE);
  const reply = fx.runOn(MEMBER_IFACE, tcpPacket(synAck));
  t.equal(reply.retval, XDP_REDIRECT);
  t.same(reply.data.subarray(0, 12), macBytes({ dst: fibMac, src: CLIENT_NET_MAC }), 'MACs, byte for byte');
});
