"""AWS::ApiGatewayV2::Api, Integration, Route and Stage on moto's API Gateway v2 backend, each
HTTP API served on a port of its own (serving.py)."""

from moto.apigatewayv2.models import apigatewayv2_backends
from moto.core.common_models import CloudFormationModel

import serving
from models_base import MODULE, _Model

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
