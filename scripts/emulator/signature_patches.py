"""Fixes for moto's signature check, which rejects some correctly signed requests.

1. The body: werkzeug has consumed a form POST's raw bytes by the time moto checks,
   so moto re-signs a rebuilt body ('+' for spaces: any template with a space fails),
   and a bodyless REST request with its parsed headers as the body. A WSGI middleware
   keeps the exact bytes the client sent, and the check signs those.
2. A path with escaped characters (`$default`, S3 keys with spaces, `+`): moto re-signs
   the decoded path (and a partly decoded query). We encode both again the way a
   client sent them.
3. STS AssumeRoleWithWebIdentity / AssumeRoleWithSAML are unsigned in AWS (the token is
   the credential); with checks on moto answers 500. We let those two through.
"""
import io
import threading
from urllib.parse import quote, unquote

from botocore.awsrequest import AWSRequest
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam.access_control import IAMRequestBase

UNSIGNED_ACTIONS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}
_current = threading.local()  # the werkzeug server handles each request on its own thread


class RawBodyMiddleware:
    """Keeps the request body exactly as received, for the signature check."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        _current.raw_body = body
        return self.app(environ, start_response)


def _create_aws_request(self):
    signed_headers = self._get_string_between("SignedHeaders=", ",", self._headers["Authorization"]).split(";")
    headers = self._create_headers_for_aws_request(signed_headers, self._headers)
    path, sep, query = self._path.partition("?")
    url = quote(path, safe="/~!$&'()*+,;=:@%") if "%" in path else quote(path, safe="/~")
    if sep:
        url += "?" + _canonical_query(query)
    body = getattr(_current, "raw_body", None)
    if body is None:
        body = self._body or b""
    request = AWSRequest(method=self._method, url=url, data=body, headers=headers)
    request.context["timestamp"] = headers["X-Amz-Date"]
    return request


def _canonical_query(query):
    """The query as a client encodes it (RFC 3986, `/` included); moto hands it over
    partly decoded, and botocore would sign that form instead."""
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        pairs.append(f"{quote(unquote(key), safe='-_.~')}={quote(unquote(value), safe='-_.~')}")
    return "&".join(pairs)


_original_authenticate = ActionAuthenticatorMixin._authenticate_and_authorize_action


def _authenticate_and_authorize_action(self, iam_request_cls, resource="*"):
    try:
        action = self._get_action()
    except Exception:  # some responses cannot name their action before parsing
        action = None
    if action in UNSIGNED_ACTIONS:
        return None
    return _original_authenticate(self, iam_request_cls, resource)


def apply():
    IAMRequestBase._create_aws_request = _create_aws_request
    ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate_and_authorize_action


def log_mismatches():
    """With CACHEDEMO_EMULATOR_DEBUG set, print moto's canonical request when a signature
    does not match, to tell a signer bug from an emulator bug."""
    import sys

    original = IAMRequestBase.check_signature

    def check_signature(self):
        try:
            original(self)
        except Exception:
            auth = self._create_auth(self._access_key.create_credentials())
            request = self._create_aws_request()
            print("emulator: signature mismatch; moto's canonical request:\n" + auth.canonical_request(request),
                  file=sys.stderr, flush=True)
            raise

    IAMRequestBase.check_signature = check_signature
