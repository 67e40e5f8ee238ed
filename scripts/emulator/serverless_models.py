"""ElastiCache Serverless on the emulator (issue 11): moto has no serverless caches and no
user groups' API. AWS::ElastiCache::ServerlessCache is served like a cluster whose slots all
live behind one endpoint (one cluster-enabled redis-server with TLS, admitting its user
group's users), and DescribeServerlessCaches / DescribeUserGroups answer what the stacks
made, so destroy's leak check can ask.
"""
from moto.core.common_models import CloudFormationModel
from moto.elasticache.exceptions import ElastiCacheException

import serving
from elasticache_models import _acl_users, _user_groups
from models_base import MODULE, _Model, _tags_list

_caches: dict = {}  # (account, region, name) -> its description, as DescribeServerlessCaches gives it


class ServerlessCacheNotFound(ElastiCacheException):
    code = "ServerlessCacheNotFoundFault"


class UserGroupNotFound(ElastiCacheException):
    code = "UserGroupNotFound"


class ServerlessCacheModel(_Model, CloudFormationModel):
    __module__ = MODULE
    ATTRIBUTES = {"Endpoint.Address": "", "Endpoint.Port": "", "ReaderEndpoint.Address": "", "ReaderEndpoint.Port": "",
                  "ARN": "", "Status": "", "FullEngineVersion": ""}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ElastiCache::ServerlessCache"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        name = p["ServerlessCacheName"].lower()
        group = p.get("UserGroupId")
        server = serving.start_cache(name, None, tls=True, acl=_acl_users([group] if group else [], account_id, region_name),
                                     cluster=True)
        arn = f"arn:aws:elasticache:{region_name}:{account_id}:serverlesscache:{name}"
        port = str(server.port)
        _caches[(account_id, region_name, name)] = {
            "ServerlessCacheName": name, "Description": p.get("Description", ""), "Status": "available",
            "Engine": p.get("Engine", "valkey"), "MajorEngineVersion": str(p.get("MajorEngineVersion", "")),
            "Endpoint": {"Address": "127.0.0.1", "Port": int(port)}, "ReaderEndpoint": {"Address": "127.0.0.1", "Port": int(port)},
            "ARN": arn, "UserGroupId": group or "", "SubnetIds": list(p.get("SubnetIds") or []),
            "SecurityGroupIds": list(p.get("SecurityGroupIds") or []), "Tags": _tags_list(p),
        }
        return cls(name, {"Endpoint.Address": "127.0.0.1", "Endpoint.Port": port, "ReaderEndpoint.Address": "127.0.0.1",
                          "ReaderEndpoint.Port": port, "ARN": arn, "Status": "available",
                          "FullEngineVersion": str(p.get("MajorEngineVersion", ""))})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        """Limits, description and the user group change in place (the same server, and its
        data, unless the users it admits changed)."""
        p = cloudformation_json["Properties"]
        name = original_resource.physical_resource_id
        group = p.get("UserGroupId")
        acl = _acl_users([group] if group else [], account_id, region_name)
        server = serving.cache(name)
        if server is None or server.acl != acl:
            server = serving.start_cache(name, None, tls=True, acl=acl, cluster=True)
        record = _caches.get((account_id, region_name, name), {})
        record.update({"Description": p.get("Description", ""), "UserGroupId": group or ""})
        port = str(server.port)
        record["Endpoint"] = record["ReaderEndpoint"] = {"Address": "127.0.0.1", "Port": int(port)}
        attributes = dict(original_resource._attributes, **{"Endpoint.Port": port, "ReaderEndpoint.Port": port})
        return cls(name, attributes)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        _caches.pop((account_id, region_name, resource_name), None)
        serving.stop_cache(resource_name)


def apply():
    """DescribeServerlessCaches and DescribeUserGroups on moto's ElastiCache endpoint."""
    from moto.core.responses import ActionResult
    from moto.elasticache.responses import ElastiCacheResponse

    def describe_serverless_caches(self):
        name = self._get_param("ServerlessCacheName")
        found = [c for (account, region, n), c in _caches.items()
                 if account == self.current_account and region == self.region and (not name or n == name)]
        if name and not found:
            raise ServerlessCacheNotFound(f"Serverless cache {name} not found.")
        return ActionResult({"ServerlessCaches": found})

    def describe_user_groups(self):
        group_id = self._get_param("UserGroupId")
        found = [{"UserGroupId": g, "Status": "active", "Engine": "redis", "UserIds": list(users)}
                 for g, users in _user_groups.items() if not group_id or g == group_id]
        if group_id and not found:
            raise UserGroupNotFound(f"User group {group_id} not found.")
        return ActionResult({"UserGroups": found})

    ElastiCacheResponse.describe_serverless_caches = describe_serverless_caches
    ElastiCacheResponse.describe_user_groups = describe_user_groups
