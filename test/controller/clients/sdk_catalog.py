"""openstacksdk over the operator's side: quotas, providers and capabilities,
flavor profiles and flavors, availability zone profiles and zones, amphorae
(the amphora id comes as argv[1], written by sdk-catalog.test.ts). Every value
the test checks is emitted."""
import sys

from sdk_common import activate, connect, emit, error_of

conn = connect()
lbs = conn.load_balancer
amphora_id = sys.argv[1]

# Quotas.
emit("quota.defaults", lbs.get_quota_default())
lbs.update_quota("demo", load_balancers=3, members=30)
emit("quota.set", lbs.get_quota("demo"))
emit("quota.list", lbs.quotas())
lbs.update_quota("demo", members=None)
emit("quota.unset", lbs.get_quota("demo"))
lbs.delete_quota("demo", ignore_missing=False)
emit("quota.reset", lbs.get_quota("demo"))

# Providers.
emit("providers", lbs.providers())
emit("capabilities.flavor", lbs.provider_flavor_capabilities("velox"))
# No SDK call for the availability zone capabilities: its adapter asks directly.
emit(
    "capabilities.az",
    lbs.get("/lbaas/providers/velox/availability_zone_capabilities").json(),
)

# Flavor profile and flavor.
fp = lbs.create_flavor_profile(
    name="fp", provider_name="velox", flavor_data='{"loadbalancer_topology": "SINGLE"}'
)
emit("flavorprofile.create", fp)
lbs.update_flavor_profile(fp.id, name="fp2")
emit("flavorprofile.update", lbs.find_flavor_profile("fp2"))
emit(
    "flavorprofile.bad",
    error_of(lambda: lbs.update_flavor_profile(fp.id, flavor_data='{"nope": 1}')),
)
flavor = lbs.create_flavor(name="f", flavor_profile_id=fp.id, description="d", is_enabled=False)
emit("flavor.create", flavor)
lbs.update_flavor(flavor.id, name="f2", is_enabled=True, description=None)
emit("flavor.update", lbs.get_flavor(flavor.id))
emit("flavor.list", lbs.flavors())
emit("flavorprofile.inuse", error_of(lambda: lbs.delete_flavor_profile(fp.id, ignore_missing=False)))
lbs.delete_flavor(flavor.id, ignore_missing=False)
lbs.delete_flavor_profile(fp.id, ignore_missing=False)
emit("flavor.gone", {"flavors": len(list(lbs.flavors())), "profiles": len(list(lbs.flavor_profiles()))})

# Availability zone profile and zone.
azp = lbs.create_availability_zone_profile(
    name="azp", provider_name="velox", availability_zone_data='{"compute_zone": "a"}'
)
emit("azprofile.create", azp)
lbs.update_availability_zone_profile(azp.id, availability_zone_data='{"compute_zone": "b"}')
emit("azprofile.update", lbs.get_availability_zone_profile(azp.id))
az = lbs.create_availability_zone(
    name="az1", availability_zone_profile_id=azp.id, description="d"
)
emit("az.create", az)
lbs.update_availability_zone("az1", description=None, is_enabled=False)
emit("az.update", lbs.get_availability_zone("az1"))
emit("az.list", lbs.availability_zones())
lbs.delete_availability_zone("az1", ignore_missing=False)
lbs.delete_availability_zone_profile(azp.id, ignore_missing=False)
emit("az.gone", {"zones": len(list(lbs.availability_zones())), "profiles": len(list(lbs.availability_zone_profiles()))})

# Amphorae.
emit("amphora.list", lbs.amphorae())
amp = lbs.get_amphora(amphora_id)
emit("amphora.get", amp)
emit("amphora.stats", lbs.get(f"/octavia/amphorae/{amphora_id}/stats").json())
lbs.configure_amphora(amphora_id)
lbs.failover_amphora(amphora_id)
emit("amphora.failover", lbs.get_load_balancer(amp.loadbalancer_id).provisioning_status)
emit("amphora.failover.again", error_of(lambda: lbs.failover_amphora(amphora_id)))
activate(amp.loadbalancer_id)
