"""CloudFormation models for the resource types of the cachedemo stack that moto lacks,
registered against moto's own backends so the services' describe calls see what a stack
made, plus the deletes moto never does for some EC2 types.

moto finds models through CloudFormationModel.__subclasses__(), cached at the first
stack: import this module in the server process before any stack is created.
"""
import json
from typing import Any

from moto.apigatewayv2.models import apigatewayv2_backends
from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.elasticache.models import elasticache_backends
from moto.secretsmanager.models import secretsmanager_backends

import change_sets
import serving
import stack_events

MODULE = "moto.cachedemo_plugin"  # moto's model metaclass wants a module under moto.


def _tags_list(props):
    tags = props.get("Tags") or []
    return [{"Key": t["Key"], "Value": t["Value"]} for t in tags] if isinstance(tags, list) else \
        [{"Key": k, "Value": v} for k, v in tags.items()]


class _Model:
    """Shared plumbing: a physical id, attributes from a dict, no name property. A mixin:
    moto looks only at direct subclasses of CloudFormationModel."""
    __module__ = MODULE
    ATTRIBUTES: dict[str, str] = {}

    def __init__(self, physical_id: str, attributes: dict[str, Any], backend_ref: Any = None):
        self._physical_id = physical_id
        self._attributes = attributes
        self.backend_ref = backend_ref

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @property
    def physical_resource_id(self) -> str:
        return self._physical_id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
        if attribute_name not in self._attributes:
            raise UnformattedGetAttTemplateException()
        return self._attributes[attribute_name]

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        cls.delete_from_cloudformation_json(original_resource.physical_resource_id, cloudformation_json,
                                            account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)


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


class SecretModel(_Model, CloudFormationModel):
    __module__ = MODULE
    ATTRIBUTES = {"Id": ""}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SecretsManager::Secret"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        backend = secretsmanager_backends[account_id][region_name]
        value = p.get("SecretString")
        if value is None:
            g = p.get("GenerateSecretString") or {}
            value = backend.get_random_password(
                password_length=int(g.get("PasswordLength", 32)), exclude_characters=g.get("ExcludeCharacters", ""),
                exclude_numbers=False, exclude_punctuation=bool(g.get("ExcludePunctuation", False)),
                exclude_uppercase=False, exclude_lowercase=False, include_space=False,
                require_each_included_type=True)
            value = json.loads(value)["RandomPassword"]
        result = backend.create_secret(name=p.get("Name") or resource_name, secret_string=value, secret_binary=None,
                                       description=p.get("Description"), tags=_tags_list(p), kms_key_id=None,
                                       client_request_token=None, replica_regions=[], force_overwrite=False)
        arn = json.loads(result)["ARN"] if isinstance(result, str) else result["ARN"]
        return cls(arn, {"Id": arn})

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = secretsmanager_backends[account_id][region_name]
        backend.delete_secret(secret_id=resource_name, recovery_window_in_days=None, force_delete_without_recovery=True)


class HttpApiModel(_Model, CloudFormationModel):
    __module__ = MODULE
    ATTRIBUTES = {"ApiEndpoint": "", "ApiId": ""}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Api"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        api = apigatewayv2_backends[account_id][region_name].create_api(
            api_key_selection_expression=None, cors_configuration=None, description=p.get("Description"),
            disable_schema_validation=None, disable_execute_api_endpoint=None, name=p.get("Name", resource_name),
            protocol_type=p.get("ProtocolType", "HTTP"), route_selection_expression=None, tags=p.get("Tags") or {},
            version=None)
        # Served on a loopback port of its own: routes, the function's code and environment.
        server = serving.start_api(api.api_id, account_id, region_name)
        return cls(api.api_id, {"ApiEndpoint": server.endpoint, "ApiId": api.api_id})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        """Name, description, tags: nothing that changes where or how it is served."""
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        apigatewayv2_backends[account_id][region_name].delete_api(resource_name)
        serving.stop_api(resource_name)


class _ApiChild(_Model):
    """Integrations, routes and stages live inside their API: deleting the API removes them."""
    __module__ = MODULE

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        # The physical id is "api-id/child-id": the template's ApiId is unresolved here.
        api_id, _, child_id = resource_name.partition("/")
        backend = apigatewayv2_backends[account_id][region_name]
        if api_id in backend.apis:
            cls.remove(backend, api_id, child_id)


class HttpApiIntegrationModel(_ApiChild, CloudFormationModel):
    __module__ = MODULE
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Integration"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        i = apigatewayv2_backends[account_id][region_name].create_integration(
            api_id=p["ApiId"], connection_id=None, connection_type=None, content_handling_strategy=None,
            credentials_arn=None, description=None, integration_method=p.get("IntegrationMethod"),
            integration_subtype=None, integration_type=p["IntegrationType"], integration_uri=p.get("IntegrationUri"),
            passthrough_behavior=None, payload_format_version=p.get("PayloadFormatVersion"), request_parameters=None,
            request_templates=None, response_parameters=None, template_selection_expression=None,
            timeout_in_millis=p.get("TimeoutInMillis"), tls_config=None)
        return cls(f"{p['ApiId']}/{i.id}", {})

    @staticmethod
    def remove(backend, api_id, resource_name):
        backend.delete_integration(api_id, resource_name)


class HttpApiRouteModel(_ApiChild, CloudFormationModel):
    __module__ = MODULE
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Route"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        r = apigatewayv2_backends[account_id][region_name].create_route(
            api_id=p["ApiId"], api_key_required=False, authorization_scopes=None,
            authorization_type=p.get("AuthorizationType", "NONE"), authorizer_id=None, model_selection_expression=None,
            operation_name=None, request_models=None, request_parameters=None, route_key=p["RouteKey"],
            route_response_selection_expression=None, target=p.get("Target"))
        return cls(f"{p['ApiId']}/{r.route_id}", {})

    @staticmethod
    def remove(backend, api_id, resource_name):
        backend.delete_route(api_id, resource_name)


class HttpApiStageModel(_ApiChild, CloudFormationModel):
    __module__ = MODULE
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Stage"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        config = {"stageName": p.get("StageName", "$default"), "autoDeploy": p.get("AutoDeploy", False),
                  "defaultRouteSettings": p.get("DefaultRouteSettings"), "accessLogSettings": p.get("AccessLogSettings"),
                  "tags": p.get("Tags") or {}}
        stage = apigatewayv2_backends[account_id][region_name].create_stage(p["ApiId"], config)
        return cls(f"{p['ApiId']}/{stage.name}", {})

    @staticmethod
    def remove(backend, api_id, resource_name):
        backend.delete_stage(api_id, resource_name)


class SecurityGroupEgressModel(_Model, CloudFormationModel):
    __module__ = MODULE
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EC2::SecurityGroupEgress"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        backend = ec2_backends[account_id][region_name]
        backend.authorize_security_group_egress(
            group_name_or_id=p["GroupId"], ip_protocol=str(p.get("IpProtocol", "tcp")), from_port=p.get("FromPort"),
            to_port=p.get("ToPort"), ip_ranges=[{"CidrIp": p["CidrIp"]}] if p.get("CidrIp") else [],
            source_groups=[{"GroupId": p["DestinationSecurityGroupId"]}] if p.get("DestinationSecurityGroupId") else [])
        return cls(f"{p['GroupId']}-egress-{resource_name}", {})

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass  # goes with its security group


def _delete_nat_gateway(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = ec2_backends[account_id][region_name]
    if resource_name in backend.nat_gateways:
        backend.delete_nat_gateway(resource_name)


def _delete_eip(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = ec2_backends[account_id][region_name]
    for eip in list(backend.addresses):
        if resource_name in (eip.public_ip, eip.allocation_id):
            # A NAT gateway's address is released with the gateway.
            eip.association_id = None
            eip.instance = None
            eip.eni = None
            backend.addresses.remove(eip)


def _delete_internet_gateway(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = ec2_backends[account_id][region_name]
    igw = backend.internet_gateways.get(resource_name)
    if igw is not None:
        if igw.vpc:
            backend.detach_internet_gateway(resource_name, igw.vpc.id)
        backend.internet_gateways.pop(resource_name, None)


def _delete_gateway_attachment(cls, resource_name, cloudformation_json, account_id, region_name):
    # The attachment's physical id is its VPC's id.
    backend = ec2_backends[account_id][region_name]
    for igw_id, igw in list(backend.internet_gateways.items()):
        if igw.vpc and igw.vpc.id == resource_name:
            backend.detach_internet_gateway(igw_id, resource_name)


def _delete_route_table(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = ec2_backends[account_id][region_name]
    table = backend.route_tables.get(resource_name)
    if table is not None:
        for association in list(table._associations):
            association_id = association if isinstance(association, str) else association.get("association_id", "")
            try:
                backend.disassociate_route_table(association_id)
            except Exception:  # a main-table association, or gone already
                pass
        backend.route_tables.pop(resource_name, None)


def _delete_route(cls, resource_name, cloudformation_json, account_id, region_name):
    # A route's physical id is "table-id~destination".
    backend = ec2_backends[account_id][region_name]
    table_id, _, destination = resource_name.partition("~")
    table = backend.route_tables.get(table_id)
    if table is not None:
        table._routes.pop(resource_name, None)


def _delete_association(cls, resource_name, cloudformation_json, account_id, region_name):
    pass  # its physical id is the route table's; deleting the table removes its associations


def _rebuild_outputs_after_change_sets():
    """moto leaves a stack without outputs after ExecuteChangeSet; rebuild them from the
    template the change set applied, as CloudFormation has them."""
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):
        original(self, change_set_name, stack_name)
        change_set = self.change_sets.get(change_set_name) or next(
            (c for c in self.change_sets.values() if c.change_set_name == change_set_name), None)
        if change_set is not None:
            stack = self.stacks[change_set.stack_id]
            stack._parse_template()
            stack.output_map = stack._create_output_map()

    CloudFormationBackend.execute_change_set = execute_change_set


def _path_style_template_urls_on_loopback():
    """moto reads a TemplateURL path-style only when it says "localhost"; a client of an
    emulator on 127.0.0.1 sends path-style URLs too (bucket first in the path)."""
    from urllib.parse import urlparse

    import moto.cloudformation.models as models
    import moto.cloudformation.responses as responses
    import moto.cloudformation.utils as utils

    original = utils.get_stack_from_s3_url

    def get_stack_from_s3_url(template_url, account_id, partition):
        host = urlparse(template_url).hostname or ""
        if host in ("127.0.0.1", "::1"):
            template_url = template_url.replace(host, "localhost", 1)
        return original(template_url, account_id, partition)

    for module in (utils, responses, models):
        module.get_stack_from_s3_url = get_stack_from_s3_url


def _lambda_code_must_exist():
    """Lambda refuses code it cannot read ("Error occurred while GetObject. S3 Error Code:
    NoSuchKey"); moto takes a missing object as empty code. Refuse it as Lambda does, so a
    stack update whose code is gone fails, as it does on AWS."""
    from moto.awslambda.exceptions import InvalidParameterValueException
    from moto.awslambda.models import LambdaFunction
    from moto.s3.models import s3_backends

    original = LambdaFunction._set_function_code

    def _set_function_code(self, updated_spec):
        if "S3Bucket" in updated_spec and "S3Key" in updated_spec:
            backend = s3_backends[self.account_id][self.partition]
            bucket = backend.buckets.get(updated_spec["S3Bucket"])
            if bucket is None:
                raise InvalidParameterValueException("Error occurred while GetObject. S3 Error Code: NoSuchBucket. "
                                                     "S3 Error Message: The specified bucket does not exist")
            if updated_spec["S3Key"] not in bucket.keys:
                raise InvalidParameterValueException("Error occurred while GetObject. S3 Error Code: NoSuchKey. "
                                                     "S3 Error Message: The specified key does not exist.")
        return original(self, updated_spec)

    LambdaFunction._set_function_code = _set_function_code


def apply():
    """Adds the deletes moto lacks, so DeleteStack leaves no EC2 resource behind,
    rebuilds outputs after change sets, reads loopback TemplateURLs path-style, resolves
    dynamic references, refuses Lambda code that is not there, says which changes
    replace, and records each resource's events."""
    serving.patch_dynamic_references()
    change_sets.apply()
    stack_events.apply()
    _lambda_code_must_exist()
    _rebuild_outputs_after_change_sets()
    _path_style_template_urls_on_loopback()
    from moto.ec2.models.elastic_ip_addresses import ElasticAddress
    from moto.ec2.models.internet_gateways import InternetGateway
    from moto.ec2.models.nat_gateways import NatGateway
    from moto.ec2.models.route_tables import Route, RouteTable
    from moto.ec2.models.subnets import SubnetRouteTableAssociation
    from moto.ec2.models.vpn_gateway import VPCGatewayAttachment

    for model, delete in [(NatGateway, _delete_nat_gateway), (ElasticAddress, _delete_eip),
                          (InternetGateway, _delete_internet_gateway), (VPCGatewayAttachment, _delete_gateway_attachment),
                          (RouteTable, _delete_route_table), (Route, _delete_route),
                          (SubnetRouteTableAssociation, _delete_association)]:
        model.delete_from_cloudformation_json = classmethod(delete)
