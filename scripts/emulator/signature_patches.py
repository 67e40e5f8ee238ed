"""Fixes for moto's signature check, which rejects some correctly signed requests.

1. A request without a body on a REST service: moto re-signs its parsed form data
   as if it were the body. We sign an empty body unless it is a form POST, and for a
   form POST we rebuild the body the way clients encode it (moto's own rebuild puts
   '+' for spaces, so any template with a space in it fails).
2. A path with escaped characters (`$default`, S3 keys with spaces, `+`): moto re-signs
   the decoded path (and a partly decoded query). We encode both again the way a
   client sent them.
3. STS AssumeRoleWithWebIdentity / AssumeRoleWithSAML are unsigned in AWS (the token is
   the credential); with checks on moto answers 500. We let those two through.
"""
from urllib.parse import quote, unquote

from botocore.awsrequest import AWSRequest
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam.access_control import IAMRequestBase

UNSIGNED_ACTIONS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}


def _create_aws_request(self):
    signed_headers = self._get_string_between("SignedHeaders=", ",", self._headers["Authorization"]).split(";")
    headers = self._create_headers_for_aws_request(signed_headers, self._headers)
    path, sep, query = self._path.partition("?")
    url = quote(path, safe="/~!$&'()*+,;=:@%") if "%" in path else quote(path, safe="/~")
    if sep:
        url += "?" + _canonical_query(query)
    content_type = self._headers.get("Content-Type", "") or self._headers.get("content-type", "")
    is_form = self._method == "POST" and "application/x-www-form-urlencoded" in content_type
    body = self._body if self._body else (_form_body(self._data) if is_form else b"")
    request = AWSRequest(method=self._method, url=url, data=body, headers=headers)
    request.context["timestamp"] = headers["X-Amz-Date"]
    return request


def _form_body(data):
    """The form body as the client sent it: werkzeug consumed the raw bytes, and botocore
    would re-encode the parsed fields with '+' for spaces. Clients (ours and botocore)
    encode with RFC 3986 and keep their field order, so that is what is rebuilt here."""
    pairs = []
    for key, value in data.items():
        for v in (value if isinstance(value, list) else [value]):
            pairs.append(f"{quote(str(key), safe='-_.~')}={quote(str(v), safe='-_.~')}")
    return "&".join(pairs).encode()


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
