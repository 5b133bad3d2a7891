#!/usr/bin/env bash
# A test host on one of the controller's local networks: a network namespace with a veth
# whose peer joins the network's bridge. For members and clients in `make run`.
#   scripts/host.sh add NAME BRIDGE ADDRESS/PREFIX GATEWAY
#   scripts/host.sh del NAME
# NAME becomes the namespace (prefix it with vx). Transmit checksum offload is turned off
# inside the host: XDP rewrites packets and cannot finish a partial checksum (NOTES.md).
set -euo pipefail
cmd=${1:-}; name=${2:-}
[[ -n "$cmd" && -n "$name" ]] || { echo "usage: $0 add NAME BRIDGE ADDR/PREFIX GW | del NAME" >&2; exit 2; }
peer="${name:0:13}h"
case "$cmd" in
add)
  bridge=${3:?bridge}; addr=${4:?address/prefix}; gw=${5:?gateway}
  ip link show "$bridge" >/dev/null 2>&1 || { echo "no bridge $bridge: is the controller running (make run)?" >&2; exit 1; }
  ip netns add "$name"
  ip link add "$peer" type veth peer name eth0 netns "$name"
  ip link set "$peer" master "$bridge" up
  ethtool -K "$peer" gro on >/dev/null 2>&1 || true
  ip -n "$name" link set lo up
  ip -n "$name" link set eth0 up
  ip -n "$name" addr add "$addr" dev eth0
  ip -n "$name" route add default via "$gw"
  ip netns exec "$name" ethtool -K eth0 tx off >/dev/null
  echo "host $name: $addr on $bridge (run commands with: ip netns exec $name CMD)"
  ;;
del)
  ip link del "$peer" 2>/dev/null || true
  ip netns del "$name" 2>/dev/null || true
  ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac
