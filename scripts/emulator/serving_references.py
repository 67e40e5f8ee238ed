"""`{{resolve:secretsmanager:…}}` and `{{resolve:ssm:…}}`, resolved from the emulator's own
services as CloudFormation does (moto passes them through literally)."""
import json
import re


_REFERENCE = re.compile(r"\{\{resolve:(secretsmanager|ssm|ssm-secure):([^}]+)\}\}")


def resolve_references(text, account_id, region):
    """Replaces each {{resolve:…}} in a string with the value the emulator's Secrets Manager
    or SSM holds, as CloudFormation does before it hands the property to the resource."""
    def one(m):
        service, rest = m.group(1), m.group(2)
        try:
            if service == "secretsmanager":
                return _secret(rest, account_id, region)
            from moto.ssm.models import ssm_backends
            name, _, version = rest.partition(":")
            return ssm_backends[account_id][region].get_parameter(f"{name}:{version}" if version else name).value
        except Exception:
            # moto also evaluates properties for change sets and describe calls, before the
            # secret exists; the resource itself is created after it, and resolves then.
            return m.group(0)
    return _REFERENCE.sub(one, text)


def _secret(rest, account_id, region):
    """secret-id[:SecretString[:json-key[:version-stage[:version-id]]]]; a full ARN's own
    colons belong to the id."""
    from moto.secretsmanager.models import secretsmanager_backends
    parts = rest.split(":")
    n = 7 if rest.startswith("arn:") else 1
    secret_id, fields = ":".join(parts[:n]), parts[n:]
    json_key = fields[1] if len(fields) > 1 and fields[1] else None
    stage = fields[2] if len(fields) > 2 and fields[2] else None
    version = fields[3] if len(fields) > 3 and fields[3] else None
    value = secretsmanager_backends[account_id][region].get_secret_value(
        secret_id=secret_id, version_id=version, version_stage=stage)
    text = value["SecretString"] if isinstance(value, dict) else json.loads(value)["SecretString"]
    return str(json.loads(text)[json_key]) if json_key else text


def patch_dynamic_references():
    """moto's template functions leave {{resolve:…}} as it is: resolve it after them."""
    import moto.cloudformation.parsing as parsing

    original = parsing.clean_json

    def clean_json(resource_json, resources_map):
        result = original(resource_json, resources_map)
        if isinstance(result, str) and "{{resolve:" in result:
            return resolve_references(result, resources_map._account_id, resources_map._region_name)
        return result

    parsing.clean_json = clean_json
