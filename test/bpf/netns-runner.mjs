// Runs inside a test's network namespace (nsenter --net=…), where bpf_fib_lookup and
// DEVMAP updates see that namespace's routes, neighbours and interfaces.
// stdin: { progPin, txPortsPin, ops: [{ op: 'run', packet: hex, ingress?: ifname } | { op: 'txPort' | 'ifindex', ifname }] }
// A run without `ingress` arrives on the loopback device.
// stdout: one JSON array, a result per op.
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const addon = require('../../build/Release/velox_native.node');

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { progPin, txPortsPin, ops } = JSON.parse(input);

const progFd = addon.openPinned(progPin);
const results = [];
for (const op of ops) {
  if (op.op === 'run') {
    const opts = op.ingress ? { ingressIfindex: addon.ifIndex(op.ingress) } : undefined;
    const r = addon.testRun(progFd, Buffer.from(op.packet, 'hex'), 1, opts);
    results.push({ retval: r.retval, data: r.data.toString('hex') });
  } else if (op.op === 'txPort') {
    const key = Buffer.alloc(4);
    key.writeUInt32LE(addon.ifIndex(op.ifname));
    const fd = addon.openPinned(txPortsPin);
    addon.mapUpdate(fd, key, key, 0);
    addon.closeFd(fd);
    results.push({ ifindex: key.readUInt32LE() });
  } else if (op.op === 'ifindex') {
    results.push({ ifindex: addon.ifIndex(op.ifname) });
  } else {
    throw new Error(`unknown op ${op.op}`);
  }
}
addon.closeFd(progFd);
process.stdout.write(JSON.stringify(results));
