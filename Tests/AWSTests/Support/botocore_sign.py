"""Signs the requests in a JSON file with botocore's SigV4Auth / S3SigV4Auth at a fixed
clock and prints, per request, the canonical request, string to sign and Authorization."""
import base64, datetime, json, sys

import botocore.auth
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

fixed = datetime.datetime(2026, 11, 27, 9, 30, 15)
botocore.auth.get_current_datetime = lambda *a, **k: fixed

out = []
for case in json.load(open(sys.argv[1])):
    creds = Credentials(case["accessKey"], case["secretKey"], case.get("token"))
    cls = S3SigV4Auth if case["service"] == "s3" else SigV4Auth
    auth = cls(creds, case["service"], case["region"])
    req = AWSRequest(method=case["method"], url=case["url"], data=base64.b64decode(case["body"]))
    for name, value in case["headers"]:
        req.headers[name] = value  # HTTPHeaders appends: repeated names keep every value, in order
    if case.get("unsignedPayload"):
        req.context["payload_signing_enabled"] = False
    req.context["timestamp"] = fixed.strftime(botocore.auth.SIGV4_TIMESTAMP)
    auth._modify_request_before_signing(req)
    canonical = auth.canonical_request(req)
    to_sign = auth.string_to_sign(req, canonical)
    auth.add_auth(req)
    out.append({"canonical": canonical, "stringToSign": to_sign, "authorization": req.headers["Authorization"]})
json.dump(out, sys.stdout)
