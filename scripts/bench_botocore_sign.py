"""botocore's SigV4Auth on the same request as cachedemo-bench: a 1 KiB POST, 6 headers."""
import datetime, json, sys, time

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

fixed = datetime.datetime(2026, 11, 27, 9, 30, 15)
botocore.auth.get_current_datetime = lambda *a, **k: fixed
body = bytes((i * 7) & 255 for i in range(1024))
headers = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("X-Amz-Target", "bench"),
           ("Accept", "application/xml"), ("X-Amz-Meta-One", "  a   b  "), ("X-Custom", "value"), ("Content-Length", "1024")]
auth = SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "cloudformation", "eu-west-1")
seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3
n, start = 0, time.perf_counter()
while time.perf_counter() - start < seconds:
    for _ in range(100):
        req = AWSRequest(method="POST", url="https://cloudformation.eu-west-1.amazonaws.com/", data=body)
        for k, v in headers:
            req.headers[k] = v
        auth.add_auth(req)
    n += 100
elapsed = time.perf_counter() - start
print(json.dumps({"signatures": n, "seconds": elapsed, "perSecond": n / elapsed, "microseconds": elapsed / n * 1e6}))
