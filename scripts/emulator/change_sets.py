"""Replacement in moto's change sets, as CloudFormation reports it.

moto lists each change's Action but never Replacement or Scope, so every Modify looks
harmless. CloudFormation decides replacement from each resource type's create-only
properties; cfn-lint ships AWS's resource schemas with them. A Modify whose create-only
property changed is Replacement True; one whose conditionally create-only property changed
is Conditional; any other is False.

A template parameter is compared by its value, as CloudFormation does: a new AMI id in a
parameter modifies (and, ImageId being create-only, replaces) the instance that refers to
it, though its template text did not change.

What this does not model (on AWS the change set itself says): properties whose value
changes only through another resource's attribute (compared as written), create-only paths below the top level (the top-level property
is compared whole), replacements that only the documentation describes, and replacements
that spread to the resources that reference a replaced one.
"""
import json


def _create_only(resource_type, region="us-east-1"):
    """Top-level names of the type's create-only and conditionally create-only properties."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except Exception:
        return set(), set()

    def names(key):
        return {p.split("/")[2] for p in schema.get(key, []) if p.startswith("/properties/")}

    return names("createOnlyProperties"), names("conditionalCreateOnlyProperties")


def _same(a, b):
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def replacement(resource_type, old_properties, new_properties):
    """'True', 'Conditional' or 'False' for a modified resource, and the properties that decide it."""
    fixed, conditional = _create_only(resource_type)
    changed = {k for k in set(old_properties) | set(new_properties) if not _same(old_properties.get(k), new_properties.get(k))}
    if changed & fixed:
        return "True", sorted(changed & fixed)
    if changed & conditional:
        return "Conditional", sorted(changed & conditional)
    return "False", []


def _with_parameters(node, values):
    """The properties with each {"Ref": <parameter>} replaced by the parameter's value."""
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in values:
            return values[node["Ref"]]
        return {k: _with_parameters(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_with_parameters(v, values) for v in node]
    return node


def _parameter_values(declared, given):
    values = {name: spec.get("Default") for name, spec in (declared or {}).items() if "Default" in spec}
    values.update(given or {})
    return values


def apply():
    from moto.cloudformation.models import Change, ChangeSet

    original = ChangeSet.diff

    def diff(self):
        changes = original(self)
        old = self.stack.resource_map._resource_json_map
        new = (self.template_dict or {}).get("Resources", {})
        old_values = _parameter_values(self.stack.template_dict.get("Parameters"), self.stack.parameters)
        new_values = _parameter_values((self.template_dict or {}).get("Parameters"), self.parameters)

        def properties(resources, name, values):
            return _with_parameters((resources.get(name) or {}).get("Properties") or {}, values)

        listed = {c.logical_resource_id for c in changes}
        for name in sorted(set(old) & set(new) - listed):
            if not _same(properties(old, name, old_values), properties(new, name, new_values)):
                changes.append(Change("Modify", name, new[name]["Type"]))
        for change in changes:
            if change.action != "Modify":
                continue
            before = properties(old, change.logical_resource_id, old_values)
            after = properties(new, change.logical_resource_id, new_values)
            change.replacement, _ = replacement(change.resource_type, before, after)
            change.scope = ["Properties"]
        return changes

    ChangeSet.diff = diff
