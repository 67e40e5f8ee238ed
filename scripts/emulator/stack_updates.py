"""Stack updates in CloudFormation's order, and in-place updates moto lacks (issue 12).

CloudFormation creates what an update adds, then updates what it modifies, and removes
what the template dropped last (the cleanup phase), so a stack switching its way out to the
internet has the new one before the old one goes. moto removes first. And for a modified
resource whose model has no update (a subnet, a route, an Elastic IP) moto stores None in
place of the resource, so every later Ref to it breaks; here such a resource is updated in
place where EC2 can (a subnet's IPv6 block, a route's target, an address's instance) and
otherwise kept as it is.
"""
from moto.ec2.models import ec2_backends

MAX_PASSES = 5


def _update_in_place(logical_id, resource_json, resources_map):
    """The resource after an update its moto model cannot do."""
    import moto.cloudformation.parsing as parsing

    original = resources_map[logical_id]
    backend = ec2_backends[resources_map._account_id][resources_map._region_name]
    kind = resource_json.get("Type")
    props = parsing.clean_json(resource_json.get("Properties") or {}, resources_map)
    if kind == "AWS::EC2::Subnet":
        block = props.get("Ipv6CidrBlock")
        current = [i for i, a in original.ipv6_cidr_block_associations.items()
                   if a["ipv6CidrBlockState"]["State"] == "associated"]
        if block and not current:
            backend.associate_subnet_cidr_block(original.id, block)
        elif not block:
            for association in current:
                backend.disassociate_subnet_cidr_block(association)
    elif kind == "AWS::EC2::Route":
        backend.replace_route(
            route_table_id=props["RouteTableId"], destination_cidr_block=props.get("DestinationCidrBlock"),
            destination_ipv6_cidr_block=props.get("DestinationIpv6CidrBlock"), nat_gateway_id=props.get("NatGatewayId"),
            egress_only_igw_id=props.get("EgressOnlyInternetGatewayId"), gateway_id=props.get("GatewayId"),
            instance_id=props.get("InstanceId"), interface_id=props.get("NetworkInterfaceId"))
        table = backend.get_route_table(props["RouteTableId"])
        destination = props.get("DestinationCidrBlock") or props.get("DestinationIpv6CidrBlock")
        return next((r for r in table.routes if destination in (r.destination_cidr_block, r.destination_ipv6_cidr_block)), original)
    elif kind == "AWS::EC2::EIP":
        instance = props.get("InstanceId")
        if instance and getattr(original.instance, "id", None) != instance:
            backend.associate_address(instance=backend.get_instance(instance), address=original.public_ip, reassociate=True)
        elif not instance and original.instance is not None:
            backend.disassociate_address(address=original.public_ip)
    return original


def apply():
    import moto.cloudformation.parsing as parsing
    from moto.cloudformation.parsing import ResourceMap

    original_update = parsing.parse_and_update_resource

    def parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name):
        updated = original_update(logical_id, resource_json, resources_map, account_id, region_name)
        return updated if updated is not None else _update_in_place(logical_id, resource_json, resources_map)

    parsing.parse_and_update_resource = parse_and_update_resource

    def update(self, template, parameters=None):
        actions = self.build_resource_diff(template, parameters)
        old_json = dict(self._resource_json_map)
        self._template = template
        if parameters:
            self.input_parameters = parameters
        self.load_mapping()
        self.load_parameters()
        self.load_conditions()
        self._resource_json_map = template["Resources"]
        for logical_id in actions["Add"]:
            _ = self[logical_id]

        def passes(names, step):
            last = None
            for _ in range(MAX_PASSES):
                for name in list(names):
                    try:
                        step(name)
                    except Exception as e:  # a dependency not ready yet: again in the next pass
                        last = e
                    else:
                        names.remove(name)
                if not names:
                    return
            raise last

        def modify(name):
            self._parsed_resources[name] = parse_and_update_resource(
                name, self._resource_json_map[name], self, account_id=self._account_id, region_name=self._region_name)

        def remove(name):
            if name in self._parsed_resources:
                self._delete_resource(self._parsed_resources[name], old_json[name])
                self._parsed_resources.pop(name, None)

        passes(actions["Modify"], modify)
        passes(actions["Remove"], remove)

    ResourceMap.update = update
