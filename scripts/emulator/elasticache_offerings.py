"""DescribeReservedCacheNodesOfferings, which deploy asks before anything is uploaded to
learn whether the region sells the cache node type (ElastiCache has no per-zone list).

moto 5.2.1 has no such call. The emulator sells every current-generation node type
(cache.<family><generation>[g...].<size>) in every region, and none of the previous
generation AWS no longer offers for new reserved nodes (t1, m1, m2, m3, c1, r3), so a
test can ask for one that is not sold.
"""
import re

_RETIRED = {"t1", "m1", "m2", "m3", "c1", "r3"}


def _sold(node_type):
    m = re.fullmatch(r"cache\.([a-z]+[0-9]+)[a-z]*\.[0-9a-z]+", node_type or "")
    return bool(m) and m.group(1) not in _RETIRED


def apply():
    from moto.core.responses import ActionResult
    from moto.elasticache.responses import ElastiCacheResponse

    def describe_reserved_cache_nodes_offerings(self):
        node_type = self._get_param("CacheNodeType")
        offers = [] if not _sold(node_type) else [{
            "ReservedCacheNodesOfferingId": f"offering-{node_type}-{term}", "CacheNodeType": node_type,
            "Duration": seconds, "ProductDescription": "redis", "OfferingType": "No Upfront",
        } for term, seconds in (("1y", 31536000), ("3y", 94608000))]
        return ActionResult({"ReservedCacheNodesOfferings": offers})

    ElastiCacheResponse.describe_reserved_cache_nodes_offerings = describe_reserved_cache_nodes_offerings
