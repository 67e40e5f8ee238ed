"""The stack the emulator deploys, served for real on 127.0.0.1.

moto keeps a deployed stack as bookkeeping: its API endpoint answers nothing and its cache
does not exist. This module makes them real, so a pipeline (deploy, smoke-test, invalidate,
destroy) runs end to end on one machine:

- a replication group is a redis-server with TLS (a CA made for this emulator) and the AUTH
  token the template resolved; its endpoint attributes point at it;
- an HTTP API is a server on its own port that routes as API Gateway does (the API's routes
  from moto's backend; no match is API Gateway's 404) and hands a routed request to the
  deployed function: its code is the zip moto's Lambda holds (read from the emulator's S3),
  its environment the function's variables, run under Node behind the front that
  `cachedemo local` uses (payload 2.0, one invocation per instance, the stage's throttle, a
  purge's SigV4 checked against the emulator's IAM key). An update that changes the code or
  the environment is served by the new version;
- `{{resolve:secretsmanager:…}}` and `{{resolve:ssm:…}}` are resolved from the emulator's
  own services, as CloudFormation does (moto passes them through literally).

Everything started here stops when its resource is deleted or the emulator exits. Processes
are started from one long-lived thread: a child's parent-death signal follows the thread
that forked it, and moto serves each request on a thread of its own.
"""
import atexit
import shutil

from serving_processes import _lock, _state, configure  # noqa: F401  (configure: for scripts/aws-emulator)
from serving_caches import _servers, cache, start_cache, stop_cache  # noqa: F401
from serving_api import _apis, start_api, stop_api  # noqa: F401
from serving_references import patch_dynamic_references, resolve_references  # noqa: F401

def stop_all():
    with _lock:
        apis, caches = list(_apis), list(_servers)
    for api_id in apis:
        stop_api(api_id)
    for group_id in caches:
        stop_cache(group_id)
    if _state["dir"]:
        shutil.rmtree(_state["dir"], ignore_errors=True)


atexit.register(stop_all)
