"""CloudFormation models for the resource types of the cachedemo stack that moto lacks."""


def apply():
    pass
