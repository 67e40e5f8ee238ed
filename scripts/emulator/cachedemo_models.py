"""CloudFormation models for the resource types of the cachedemo stack that moto lacks, one
module per service (elasticache_models, secrets_models, apigateway_models, and the EC2
ones in network_models), registered against moto's own backends so the services' describe
calls see what a stack made; and the fixes to moto's CloudFormation, S3 and Lambda that a
stack needs (outputs after change sets, path-style template URLs, code that must exist).

moto finds models through CloudFormationModel.__subclasses__(), cached at the first
stack: import this module in the server process before any stack is created.
"""
import apigateway_models  # noqa: F401  registers its models
import change_sets
import elasticache_models  # noqa: F401
import network_models
import secrets_models  # noqa: F401
import serving
import stack_events

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
    network_models.register_deletes()
