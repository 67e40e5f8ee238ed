"""AWS::ElastiCache::SubnetGroup, ReplicationGroup, User and UserGroup on moto's ElastiCache
backend, each replication group served by a real redis-server (serving.py)."""

from moto.core.common_models import CloudFormationModel
from moto.elasticache.models import elasticache_backends

import serving
from models_base import MODULE, _Model, _tags_list

class CacheSubnetGroupModel(_Model, CloudFormationModel):
    __module__ = MODULE
    ATTRIBUTES = {}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ElastiCache::SubnetGroup"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        name = props.get("CacheSubnetGroupName") or resource_name.lower()
        elasticache_backends[account_id][region_name].create_cache_subnet_group(
            cache_subnet_group_name=name, cache_subnet_group_description=props.get("Description", ""),
            subnet_ids=props.get("SubnetIds", []), tags=_tags_list(props))
        return cls(name, {})

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        elasticache_backends[account_id][region_name].cache_subnet_groups.pop(resource_name, None)


class ReplicationGroupModel(_Model, CloudFormationModel):
    __module__ = MODULE
    ATTRIBUTES = {"PrimaryEndPoint.Address": "", "PrimaryEndPoint.Port": "", "ReaderEndPoint.Address": "",
                  "ReaderEndPoint.Port": "", "ConfigurationEndPoint.Address": "", "ConfigurationEndPoint.Port": ""}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ElastiCache::ReplicationGroup"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        rg_id = (p.get("ReplicationGroupId") or resource_name).lower()[:40].rstrip("-")
        port = int(p.get("Port", 6379))
        group = elasticache_backends[account_id][region_name].create_replication_group(
            replication_group_id=rg_id, replication_group_description=p.get("ReplicationGroupDescription", ""),
            global_replication_group_id=None, primary_cluster_id=None,
            automatic_failover_enabled=p.get("AutomaticFailoverEnabled", False),
            multi_az_enabled=p.get("MultiAZEnabled", False), num_cache_clusters=int(p.get("NumCacheClusters", 1)),
            preferred_cache_cluster_azs=None, num_node_groups=None, replicas_per_node_group=None,
            node_group_configuration=None, cache_node_type=p.get("CacheNodeType"), engine=p.get("Engine", "redis"),
            engine_version=p.get("EngineVersion"), cache_parameter_group_name=None,
            cache_subnet_group_name=p.get("CacheSubnetGroupName"), cache_security_group_names=None,
            security_group_ids=p.get("SecurityGroupIds"), tags=_tags_list(p), snapshot_arns=None, snapshot_name=None,
            preferred_maintenance_window=p.get("PreferredMaintenanceWindow"), port=port, notification_topic_arn=None,
            auto_minor_version_upgrade=True, snapshot_retention_limit=p.get("SnapshotRetentionLimit"),
            snapshot_window=None, auth_token=p.get("AuthToken"),
            transit_encryption_enabled=p.get("TransitEncryptionEnabled", False),
            at_rest_encryption_enabled=p.get("AtRestEncryptionEnabled", False), kms_key_id=None, user_group_ids=None,
            log_delivery_configurations=p.get("LogDeliveryConfigurations"), data_tiering_enabled=False,
            network_type=None, ip_discovery=None, transit_encryption_mode=None, cluster_mode=None,
            serverless_cache_snapshot_name=None)
        # A real redis-server with the group's TLS and token answers at the endpoint.
        # Cluster mode enabled (NumNodeGroups): one cluster node holding every slot.
        server = serving.start_cache(rg_id, p.get("AuthToken"), tls=bool(p.get("TransitEncryptionEnabled", False)),
                                     acl=_acl_users(p.get("UserGroupIds"), account_id, region_name),
                                     cluster="NumNodeGroups" in p)
        return cls(rg_id, cls.endpoints(server), group)

    @staticmethod
    def endpoints(server):
        """A cluster has a configuration endpoint and no primary one, as on ElastiCache."""
        port = str(server.port)
        if server.cluster:
            return {"ConfigurationEndPoint.Address": "127.0.0.1", "ConfigurationEndPoint.Port": port}
        return {"PrimaryEndPoint.Address": "127.0.0.1", "PrimaryEndPoint.Port": port,
                "ReaderEndPoint.Address": "127.0.0.1", "ReaderEndPoint.Port": port}

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        """Modified in place, as ElastiCache does: the same server (and its data) unless the token
        or TLS changed; the group's record follows the new properties."""
        p = cloudformation_json["Properties"]
        group = original_resource.backend_ref
        server = serving.cache(original_resource.physical_resource_id)
        tls = bool(p.get("TransitEncryptionEnabled", False))
        acl = _acl_users(p.get("UserGroupIds"), account_id, region_name)
        cluster = "NumNodeGroups" in p
        if server is None or server.token != p.get("AuthToken") or server.tls != tls or server.acl != acl or server.cluster != cluster:
            server = serving.start_cache(original_resource.physical_resource_id, p.get("AuthToken"), tls=tls, acl=acl,
                                         cluster=cluster)
        if group is not None:
            for attr, key in (("cache_node_type", "CacheNodeType"), ("engine", "Engine"), ("engine_version", "EngineVersion")):
                if key in p:
                    setattr(group, attr, p[key])
            for attr, key in (("automatic_failover", "AutomaticFailoverEnabled"), ("multi_az", "MultiAZEnabled")):
                group.__dict__[attr] = "enabled" if p.get(key) else "disabled"
        return cls(original_resource.physical_resource_id, cls.endpoints(server), group)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        elasticache_backends[account_id][region_name].replication_groups.pop(resource_name, None)
        serving.stop_cache(resource_name)


_user_groups: dict = {}  # user group id -> its user ids (moto has users, not groups)


class CacheUserModel(_Model, CloudFormationModel):
    """An RBAC user, on moto's own ElastiCache users (DescribeUsers sees it)."""
    __module__ = MODULE
    ATTRIBUTES = {"Arn": ""}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ElastiCache::User"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        mode = (p.get("AuthenticationMode") or {}).get("Type") or (
            "no-password-required" if p.get("NoPasswordRequired") else "password")
        passwords = p.get("Passwords") or (p.get("AuthenticationMode") or {}).get("Passwords") or []
        user = elasticache_backends[account_id][region_name].create_user(
            user_id=p["UserId"], user_name=p["UserName"], engine=p.get("Engine", "redis"), passwords=passwords,
            access_string=p.get("AccessString", ""), no_password_required=bool(p.get("NoPasswordRequired")),
            authentication_type=mode, tags=_tags_list(p))
        return cls(p["UserId"], {"Arn": user.arn}, user)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        elasticache_backends[account_id][region_name].users.pop(resource_name, None)


class CacheUserGroupModel(_Model, CloudFormationModel):
    """A user group: which users a replication group's server admits (serving reads it)."""
    __module__ = MODULE
    ATTRIBUTES = {"Arn": ""}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ElastiCache::UserGroup"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        _user_groups[p["UserGroupId"]] = list(p.get("UserIds") or [])
        arn = f"arn:aws:elasticache:{region_name}:{account_id}:usergroup:{p['UserGroupId']}"
        return cls(p["UserGroupId"], {"Arn": arn})

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        _user_groups.pop(resource_name, None)


def _acl_users(group_ids, account_id, region_name):
    """The groups' users as redis-server ACL lines. redis cannot check an IAM token's SigV4:
    an IAM user is admitted by name (`nopass`), as ElastiCache would after checking the token."""
    backend = elasticache_backends[account_id][region_name]
    lines = []
    for group in group_ids or []:
        for user_id in _user_groups.get(group, []):
            user = backend.users.get(user_id)
            if user is None:
                continue
            secret = " ".join(f">{pw}" for pw in user.passwords) if user.passwords else "nopass"
            lines.append(f"user {user.name} reset {secret} {user.access_string or 'off'}")
    return lines
