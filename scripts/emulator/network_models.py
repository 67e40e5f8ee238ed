"""The egress modes' network on moto's own EC2 backend: what CloudFormation does for them
and moto does not (issue 12).

- AWS::EC2::EgressOnlyInternetGateway and AWS::EC2::VPCCidrBlock (absent from moto's
  CloudFormation), on the backend calls moto has for them;
- Fn::Cidr, and GetAtt Vpc.Ipv6CidrBlocks, so a subnet can take its IPv6 /64;
- a subnet's Ipv6CidrBlock and a route's DestinationIpv6CidrBlock (moto drops both), and a
  route table's Tags;
- an instance's NetworkInterfaces, SourceDestCheck and MetadataOptions (moto reads only a
  top-level SubnetId and starts the instance in the default VPC otherwise).
"""
import ipaddress

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends

from models_base import MODULE, _Model, _tags_list


class EgressOnlyInternetGatewayModel(_Model, CloudFormationModel):
    __module__ = MODULE
    ATTRIBUTES = {"Id": ""}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EC2::EgressOnlyInternetGateway"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        backend = ec2_backends[account_id][region_name]
        gateway = backend.create_egress_only_internet_gateway(
            vpc_id=p["VpcId"], tags={t["Key"]: t["Value"] for t in _tags_list(p)})
        return cls(gateway.id, {"Id": gateway.id}, gateway)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = ec2_backends[account_id][region_name]
        try:
            backend.delete_egress_only_internet_gateway(resource_name)
        except Exception:  # already gone
            pass


class VpcCidrBlockModel(_Model, CloudFormationModel):
    __module__ = MODULE
    ATTRIBUTES = {"Id": "", "IpSource": "", "Ipv6AddressAttribute": ""}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EC2::VPCCidrBlock"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        backend = ec2_backends[account_id][region_name]
        association = backend.associate_vpc_cidr_block(
            p["VpcId"], p.get("CidrBlock"), bool(p.get("AmazonProvidedIpv6CidrBlock")))
        association_id = association["association_id"]
        return cls(association_id, {"Id": association_id, "IpSource": "amazon", "Ipv6AddressAttribute": "public"})

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        try:
            ec2_backends[account_id][region_name].disassociate_vpc_cidr_block(resource_name)
        except Exception:  # the VPC went first
            pass


def _cidr(block, count, bits):
    """Fn::Cidr: `count` blocks with `bits` host bits each, from the start of `block`."""
    network = ipaddress.ip_network(block, strict=False)
    prefix = network.max_prefixlen - int(bits)
    subnets = network.subnets(new_prefix=prefix)
    return [str(next(subnets)) for _ in range(int(count))]


def _vpc_ipv6_blocks(vpc):
    return [a["cidr_block"] for a in vpc.get_cidr_block_association_set(ipv6=True)
            if a.get("cidr_block_state", {}).get("state") == "associated"]


def _patch_intrinsics():
    """Fn::Cidr after moto's own functions; VPC Ipv6CidrBlocks as a GetAtt."""
    import moto.cloudformation.parsing as parsing
    from moto.ec2.models.vpcs import VPC

    original = parsing.clean_json

    def clean_json(resource_json, resources_map):
        if isinstance(resource_json, dict) and set(resource_json) == {"Fn::Cidr"}:
            block, count, bits = (clean_json(v, resources_map) for v in resource_json["Fn::Cidr"])
            return _cidr(block, count, bits)
        return original(resource_json, resources_map)

    parsing.clean_json = clean_json

    original_attribute = VPC.get_cfn_attribute

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "Ipv6CidrBlocks":
            return _vpc_ipv6_blocks(self)
        return original_attribute(self, attribute_name)

    VPC.get_cfn_attribute = get_cfn_attribute


def _patch_depends_on():
    """moto honours DependsOn only in its top-level order: a resource another one refers to
    is created on the spot, before what it depends on (a subnet before the VPC's IPv6
    block). Create the dependencies first, as CloudFormation does."""
    from moto.cloudformation.parsing import ResourceMap

    original = ResourceMap.__getitem__

    def getitem(self, key):
        if key not in self._parsed_resources:
            depends = (self._resource_json_map.get(key) or {}).get("DependsOn") or []
            for dependency in [depends] if isinstance(depends, str) else depends:
                if dependency in self._resource_json_map:
                    original(self, dependency)
        return original(self, key)

    ResourceMap.__getitem__ = getitem


def _patch_subnets_and_routes():
    from moto.ec2.models.route_tables import Route
    from moto.ec2.models.subnets import Subnet

    subnet_create = Subnet.create_from_cloudformation_json.__func__

    def create_subnet(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        subnet = subnet_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        block = cloudformation_json["Properties"].get("Ipv6CidrBlock")
        if block:
            ec2_backends[account_id][region_name].associate_subnet_cidr_block(subnet.id, block)
        return subnet

    Subnet.create_from_cloudformation_json = classmethod(create_subnet)

    def create_route(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        return ec2_backends[account_id][region_name].create_route(
            route_table_id=p["RouteTableId"],
            destination_cidr_block=p.get("DestinationCidrBlock"),
            destination_ipv6_cidr_block=p.get("DestinationIpv6CidrBlock"),
            gateway_id=p.get("GatewayId"),
            instance_id=p.get("InstanceId"),
            nat_gateway_id=p.get("NatGatewayId"),
            egress_only_igw_id=p.get("EgressOnlyInternetGatewayId"),
            transit_gateway_id=p.get("TransitGatewayId"),
            interface_id=p.get("NetworkInterfaceId"),
            vpc_peering_connection_id=p.get("VpcPeeringConnectionId"),
        )

    Route.create_from_cloudformation_json = classmethod(create_route)

    # moto's route tables drop their Tags.
    from moto.ec2.models.route_tables import RouteTable

    table_create = RouteTable.create_from_cloudformation_json.__func__

    def create_route_table(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        table = table_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        for tag in _tags_list(cloudformation_json["Properties"]):
            table.add_tag(tag["Key"], tag["Value"])
        return table

    RouteTable.create_from_cloudformation_json = classmethod(create_route_table)


def _patch_instances():
    """Launch where NetworkInterfaces say, with the public address, metadata options and
    source/destination check the template asks for."""
    from moto.ec2.models.instances import Instance

    def create_instance(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        backend = ec2_backends[account_id][region_name]
        interfaces = p.get("NetworkInterfaces") or []
        nics = [{"DeviceIndex": int(n.get("DeviceIndex", 0)), "SubnetId": n["SubnetId"], "Groups": list(n.get("GroupSet") or []),
                 "AssociatePublicIpAddress": n.get("AssociatePublicIpAddress") in (True, "true"),
                 "DeleteOnTermination": n.get("DeleteOnTermination") in (True, "true")} for n in interfaces]
        # EC2 sizes a root volume without VolumeSize from the AMI's snapshot; moto needs a size.
        mappings = [dict(m, Ebs=dict({"VolumeSize": 8}, **m.get("Ebs", {}))) if "Ebs" in m else m
                    for m in p.get("BlockDeviceMappings") or []]
        reservation = backend.run_instances(
            image_id=p["ImageId"], user_data=p.get("UserData"), count=1, security_group_names=[],
            instance_type=p.get("InstanceType", "m1.small"), is_instance_type_default=not p.get("InstanceType"),
            subnet_id=p.get("SubnetId") or (nics[0]["SubnetId"] if nics else None), nics=nics,
            metadata_options=p.get("MetadataOptions") or {},
            block_device_mappings=mappings or {})
        instance = reservation.instances[0]
        if "SourceDestCheck" in p:
            instance.source_dest_check = str(p["SourceDestCheck"]).lower() == "true"
        for tag in p.get("Tags", []):
            instance.add_tag(tag["Key"], tag["Value"])
        return instance

    Instance.create_from_cloudformation_json = classmethod(create_instance)


def apply():
    _patch_depends_on()
    _patch_intrinsics()
    _patch_subnets_and_routes()
    _patch_instances()


# moto never deletes these EC2 types of a stack, and has no model for a security group's own
# egress rule.
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


def register_deletes():
    """The deletes moto lacks, so DeleteStack leaves no EC2 resource behind."""
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
