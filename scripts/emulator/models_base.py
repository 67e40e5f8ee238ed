"""What every plugin model shares: moto finds models through CloudFormationModel's direct
subclasses, and its model metaclass wants a module under moto."""
from typing import Any


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
