"""Signature checking for the fake servers, with botocore, the way AWS checks: rebuild
the request from what arrived and compare the signatures."""
import re

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def signature_ok(handler, body, access_key, secret_key):
    auth_header = handler.headers.get("Authorization", "")
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                 r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})", auth_header)
    if not m or m.group(1) != access_key:
        return False
    _, _, region, service, signed, signature = m.groups()
    headers = {k: v for k, v in handler.headers.items() if k.lower() in signed.split(";")}
    request = AWSRequest(method=handler.command, url=f"http://{handler.headers['Host']}{handler.path}", data=body,
                         headers=headers)
    request.context["timestamp"] = handler.headers["X-Amz-Date"]
    auth = SigV4Auth(Credentials(access_key, secret_key), service, region)
    expected = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
    return expected == signature
