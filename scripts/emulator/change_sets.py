"""Replacement in moto's change sets, as CloudFormation reports it.

moto lists each change's Action but never Replacement or Scope, so every Modify looks
harmless. CloudFormation decides replacement from each resource type's create-only
properties; cfn-lint ships AWS's resource schemas with them. A Modify whose create-only
property changed is Replacement True; one whose conditionally create-only property changed
is Conditional; any other is False.

What this does not model (on AWS the change set itself says): properties whose value
changes only through a parameter or another resource's attribute (compared as written,
`{"Ref": "X"}` equals itself), create-only paths below the top level (the top-level property
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


def apply():
    from moto.cloudformation.models import ChangeSet

    original = ChangeSet.diff

    def diff(self):
        changes = original(self)
        old = self.stack.resource_map._resource_json_map
        new = (self.template_dict or {}).get("Resources", {})
        for change in changes:
            if change.action != "Modify":
                continue
            before = (old.get(change.logical_resource_id) or {}).get("Properties") or {}
            after = (new.get(change.logical_resource_id) or {}).get("Properties") or {}
            change.replacement, _ = replacement(change.resource_type, before, after)
            change.scope = ["Properties"]
        return changes

    ChangeSet.diff = diff
