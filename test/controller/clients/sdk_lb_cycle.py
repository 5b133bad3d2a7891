"""openstacksdk drives a load balancer graph through create/get/list/update/delete:
load balancer, listener, pool, member (one by one and batch), health monitor,
L7 policy and rule, stats, the status tree and failover. Every value the test
checks is emitted to sdk-lb.test.ts."""
import sys

from sdk_common import activate, connect, emit, error_of

conn = connect()
lbs = conn.load_balancer
# The subnet ids come from the test: openstacksdk's network proxy discovers its
# version from GET / on the shared port, finds Octavia's document and asks /v2/subnets.
public_id, private_id = sys.argv[1], sys.argv[2]

# Load balancer.
lb = lbs.create_load_balancer(name="lb1", description="d", vip_subnet_id=public_id, tags=["a"])
emit("lb.create", lb)
activate(lb.id)
emit("lb.list", lbs.load_balancers(name="lb1"))
lbs.update_load_balancer(lb.id, name="lb2", is_admin_state_up=False)
emit("lb.update", lbs.get_load_balancer(lb.id))
activate(lb.id)
lbs.update_load_balancer(lb.id, description=None, is_admin_state_up=True)
emit("lb.unset", lbs.get_load_balancer(lb.id))
activate(lb.id)
emit("lb.find", lbs.find_load_balancer("lb2"))

# Listener, with its stats.
listener = lbs.create_listener(
    name="l1", protocol="HTTP", protocol_port=80, load_balancer_id=lb.id, connection_limit=10
)
emit("listener.filtered", [x.id for x in lbs.listeners(load_balancer_id=lb.id)] == [listener.id])
emit("listener.create", listener)
activate(lb.id)
lbs.update_listener(listener.id, connection_limit=None, timeout_client_data=None, description="x")
emit("listener.unset", lbs.get_listener(listener.id))
activate(lb.id)
emit("listener.stats", lbs.get_listener_statistics(listener.id))

# Pool.
pool = lbs.create_pool(
    name="p1",
    protocol="HTTP",
    lb_algorithm="ROUND_ROBIN",
    listener_id=listener.id,
    session_persistence={"type": "HTTP_COOKIE"},
)
emit("pool.create", pool)
activate(lb.id)
lbs.update_pool(pool.id, lb_algorithm="SOURCE_IP", session_persistence=None)
emit("pool.unset", lbs.get_pool(pool.id))
activate(lb.id)
emit("pool.list", lbs.pools(loadbalancer_id=lb.id))

# Members: one, updated and reset, then replaced by a batch.
member = lbs.create_member(
    pool.id, name="m1", address="172.30.2.20", protocol_port=8080, subnet_id=private_id, weight=3
)
emit("member.create", member)
activate(lb.id)
lbs.update_member(member.id, pool.id, weight=None, name=None, backup=True)
emit("member.unset", lbs.get_member(member.id, pool.id))
activate(lb.id)
# openstacksdk has no batch call: its adapter sends Octavia's PUT /pools/{id}/members.
batch = lbs.put(
    f"/lbaas/pools/{pool.id}/members",
    json={
        "members": [
            {"address": "172.30.2.21", "protocol_port": 8080, "subnet_id": private_id},
            {"address": "172.30.2.22", "protocol_port": 8080, "subnet_id": private_id, "weight": 4},
        ]
    },
)
emit("member.batch.status", batch.status_code)
activate(lb.id)
emit("member.list", sorted((m.address, m.weight) for m in lbs.members(pool.id)))

# Health monitor.
hm = lbs.create_health_monitor(
    pool_id=pool.id, type="HTTP", delay=5, timeout=3, max_retries=2, url_path="/health"
)
emit("hm.create", hm)
activate(lb.id)
lbs.update_health_monitor(hm.id, url_path=None, expected_codes="200-204", max_retries_down=None)
emit("hm.unset", lbs.get_health_monitor(hm.id))
activate(lb.id)

# L7 policy and rule.
policy = lbs.create_l7_policy(
    listener_id=listener.id, action="REDIRECT_TO_URL", redirect_url="https://example.com/", name="r"
)
emit("l7policy.create", policy)
activate(lb.id)
lbs.update_l7_policy(policy.id, action="REDIRECT_TO_POOL", redirect_pool_id=pool.id, name=None)
emit("l7policy.update", lbs.get_l7_policy(policy.id))
activate(lb.id)
rule = lbs.create_l7_rule(
    policy.id, type="PATH", compare_type="STARTS_WITH", rule_value="/api", invert=True
)
emit("l7rule.create", rule)
activate(lb.id)
# openstacksdk names the rule's `value` attribute rule_value.
lbs.update_l7_rule(rule.id, policy.id, invert=False, compare_type="CONTAINS", rule_value="/v2")
emit("l7rule.update", lbs.get_l7_rule(rule.id, policy.id))
activate(lb.id)
emit("l7rule.list", lbs.l7_rules(policy.id))

# Load balancer stats, status tree, failover.
emit("lb.stats", lbs.get_load_balancer_statistics(lb.id))
emit("lb.status", lbs.get(f"/lbaas/loadbalancers/{lb.id}/status").json())
lbs.failover_load_balancer(lb.id)
emit("lb.failover", lbs.get_load_balancer(lb.id).provisioning_status)
emit("lb.failover.again", error_of(lambda: lbs.failover_load_balancer(lb.id)))
activate(lb.id)

# Delete bottom up.
lbs.delete_l7_rule(rule.id, policy.id, ignore_missing=False)
activate(lb.id)
lbs.delete_l7_policy(policy.id, ignore_missing=False)
activate(lb.id)
lbs.delete_health_monitor(hm.id, ignore_missing=False)
activate(lb.id)
for m in list(lbs.members(pool.id)):
    lbs.delete_member(m.id, pool.id, ignore_missing=False)
    activate(lb.id)
lbs.delete_pool(pool.id, ignore_missing=False)
activate(lb.id)
lbs.delete_listener(listener.id, ignore_missing=False)
activate(lb.id)
emptied = lbs.get_load_balancer(lb.id)
emit("lb.children.empty", {
    "listeners": len(emptied.listeners),
    "pools": len(emptied.pools),
    "healthmonitors": len(list(lbs.health_monitors())),
    "l7policies": len(list(lbs.l7_policies())),
})
lbs.delete_load_balancer(lb.id, ignore_missing=False)
emit("lb.delete", lbs.get_load_balancer(lb.id).provisioning_status)
