"""AWS::SecretsManager::Secret on moto's Secrets Manager backend (the generated AUTH token)."""
import json

from moto.core.common_models import CloudFormationModel
from moto.secretsmanager.models import secretsmanager_backends

from models_base import MODULE, _Model, _tags_list

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
