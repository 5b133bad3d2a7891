#!/usr/bin/env bash
# A test host on one of the controller's local networks: a network namespace with a veth
# whose peer joins the network's bridge. For members and clients in `make run`.
#   scripts/host.sh add NAME BRIDGE ADDRESS/PREFIX GATEWAY [ADDRESS6/PREFIX GATEWAY6]
#   scripts/host.sh del NAME
# e.g. scripts/host.sh add vxm1 vxprivate 172.30.2.101/24 172.30.2.1 fd00:172:30:2::101/64 fd00:172:30:2::1
# NAME becomes the namespace (prefix it with vx). Transmit checksum offload is turned off
# inside the host: XDP rewrites packets and cannot finish a partial checksum (NOTES.md).
# IPv6 is static, as on the controller's networks: no router advertisements, and no
# duplicate address detection, so the address works at once.
set -euo pipefail
cmd=${1:-}; name=${2:-}
usage="usage: $0 add NAME BRIDGE ADDR/PREFIX GW [ADDR6/PREFIX GW6] | del NAME"
[[ -n "$cmd" && -n "$name" ]] || { echo "$usage" >&2; exit 2; }
peer="${name:0:13}h"
case "$cmd" in
add)
  bridge=${3:?bridge}; addr=${4:?address/prefix}; gw=${5:?gateway}; addr6=${6:-}; gw6=${7:-}
  if [[ -n "$addr6" && -z "$gw6" ]]; then echo "$usage" >&2; exit 2; fi
  ip link show "$bridge" >/dev/null 2>&1 || { echo "no bridge $bridge: is the controller running (make run)?" >&2; exit 1; }
  ip netns add "$name"
  if [[ -n "$addr6" ]]; then
    # Set before eth0 arrives, so that it starts with these settings.
    for scope in all default; do
      ip netns exec "$name" sysctl -q -w "net.ipv6.conf.$scope.accept_ra=0" "net.ipv6.conf.$scope.accept_dad=0"
    done
  fi
  ip link add "$peer" type veth peer name eth0 netns "$name"
  ip link set "$peer" master "$bridge" up
  ethtool -K "$peer" gro on >/dev/null 2>&1 || true
  ip -n "$name" link set lo up
  ip -n "$name" link set eth0 up
  ip -n "$name" addr add "$addr" dev eth0
  ip -n "$name" route add default via "$gw"
  if [[ -n "$addr6" ]]; then
    ip -n "$name" -6 addr add "$addr6" dev eth0 nodad
    ip -n "$name" -6 route add default via "$gw6"
  fi
  ip netns exec "$name" ethtool -K eth0 tx off >/dev/null
  echo "host $name: $addr${addr6:+ $addr6} on $bridge (run commands with: ip netns exec $name CMD)"
  ;;
del)
  ip link del "$peer" 2>/dev/null || true
  ip netns del "$name" 2>/dev/null || true
  ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac
