"""A deployed HTTP API, served: routed as API Gateway routes, each route's function run under
the local front (Node 24), AWS_IAM routes checked against the emulator's IAM key."""
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from serving_processes import *  # noqa: F401,F403  the shared folder, ports, spawner, certificates
from serving_processes import _lock, _register, _state, _unregister

_apis: dict[str, "ApiServer"] = {}  # api id -> its HTTP server

FRONT_FILES = [os.path.join(REPO, "lambda", "local", name) for name in ("front.mjs", "sigv4-verify.mjs", "throttle.mjs")]
NODE24 = os.path.join(REPO, "scripts", "node24")

# Headers of one connection, not of the message (RFC 9110 §7.6.1): a relay never passes them on.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"})


def _route_pattern(path):
    """An HTTP API route path as a regex: {name} is one segment, {name+} the rest (at least one)."""
    out = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("+}"):
            out += ".+"
        elif part.startswith("{"):
            out += "[^/]+"
        else:
            out += re.escape(part)
    return re.compile("^" + out + "$")


def match_route(routes, method, path):
    """API Gateway's order: an exact route, then one with variables, then greedy ones; a
    route for the method before ANY; $default last. None when nothing matches."""
    candidates = []
    for r in routes:
        key = r.route_key
        if key == "$default":
            candidates.append((3, 0, r))
            continue
        m, _, p = key.partition(" ")
        if m not in (method, "ANY") or not _route_pattern(p).match(path):
            continue
        kind = 2 if "+}" in p else 1 if "{" in p else 0
        candidates.append((kind, 0 if m == method else 1, r))
    return min(candidates, key=lambda c: (c[0], c[1], -len(c[2].route_key)))[2] if candidates else None


class FunctionVersion:
    """The deployed function's code and configuration, running under the local front."""

    def __init__(self, api_id, fn, throttle, region):
        self.key = version_key(fn, throttle)
        self.dir = tempfile.mkdtemp(prefix=f"api-{api_id}-", dir=state_dir())
        function_dir = os.path.join(self.dir, "function")
        with zipfile.ZipFile(io.BytesIO(fn.code_bytes)) as z:
            z.extractall(function_dir)
        for f in FRONT_FILES:
            shutil.copy(f, self.dir)
        key_id, secret = _state["iam_key"] or ("", "")
        self.env = {"PATH": os.environ.get("PATH", ""), "FUNCTION_DIR": function_dir,
               "FUNCTION_TIMEOUT_SECONDS": str(fn.timeout or 3), "PURGE_ACCESS_KEY_ID": key_id,
               "PURGE_SECRET_ACCESS_KEY": secret, "PURGE_REGION": region,
               # Lambda's trust store knows ElastiCache's CA; this emulator's cache has its own.
               "NODE_EXTRA_CA_CERTS": certificates()["ca"], "AWS_REGION": region,
               # Lambda hands the function its role's credentials in the environment; here, the
               # emulator's key (what an IAM auth token is signed with).
               "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
               # SSM as the function reaches it through its way out: here, the emulator's.
               "AWS_ENDPOINT_URL_SSM": emulator_endpoint(),
               "AWS_LAMBDA_FUNCTION_NAME": fn.function_name}
        if throttle:
            self.env["THROTTLE_RATE"], self.env["THROTTLE_BURST"] = str(throttle[0]), str(throttle[1])
        self.env.update(fn.environment_vars or {})
        self.node, self.name = node_for(fn.run_time), fn.function_name
        start_listening(self._start)

    def _start(self):
        self.port = free_port()
        self.process = spawn([self.node, os.path.join(self.dir, "front.mjs")], env={**self.env, "PORT": str(self.port)})
        wait_listening(self.port, self.process, f"the function {self.name}")

    def stop(self):
        stop_process(self.process)
        shutil.rmtree(self.dir, ignore_errors=True)


def node_for(runtime):
    """nodejs24.x runs on Node 24 (from PyPI); other Node runtimes on the machine's node."""
    if runtime == "nodejs24.x" or not shutil.which("node"):
        return NODE24
    return shutil.which("node")


def version_key(fn, throttle):
    env = json.dumps(fn.environment_vars or {}, sort_keys=True)
    return hashlib.sha256(f"{fn.code_sha_256}|{env}|{fn.run_time}|{fn.timeout}|{throttle}".encode()).hexdigest()


class ApiServer:
    """One HTTP API: routes as API Gateway does, runs the current version of the function."""

    def __init__(self, api_id, account_id, region):
        self.api_id, self.account_id, self.region = api_id, account_id, region
        self.version = None
        self.version_lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                # Headers and body leave as separate writes: without this, Nagle's algorithm
                # and the client's delayed ACK hold each answer back 40 ms.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _any(self):
                api.handle(self)

            do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True, name=f"api-{api_id}").start()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def backend(self):
        from moto.apigatewayv2.models import apigatewayv2_backends
        return apigatewayv2_backends[self.account_id][self.region]

    def handle(self, req):
        length = int(req.headers.get("content-length") or 0)
        body = req.rfile.read(length) if length else b""
        path = req.path.split("?", 1)[0]
        try:
            api = self.backend().apis.get(self.api_id)
            route = match_route(list(api.routes.values()), req.command, path) if api else None
            if route is None:
                return self.reply(req, 404, {"message": "Not Found"})
            fn, throttle = self.function_of(api, route)
            if fn is None:
                return self.reply(req, 500, {"message": "Internal Server Error"})
            version = self.current(fn, throttle)
        except Exception as e:  # the emulator's own trouble: said, not hidden
            return self.reply(req, 500, {"message": "Internal Server Error", "emulator": str(e)})
        self.forward(req, version.port, body, iam=route.authorization_type == "AWS_IAM")

    def function_of(self, api, route):
        """The function a route's integration invokes, and the stage's throttle."""
        from moto.awslambda.models import lambda_backends
        # "integrations/<id>"; the plugin's Ref of an integration is "<api id>/<id>".
        target = (route.target or "").split("/")[-1]
        integration = api.integrations.get(target)
        uri = integration.integration_uri if integration else ""
        name = uri.split(":function:", 1)[-1].split("/")[0].split(":")[0] if ":function:" in uri else uri
        try:
            fn = lambda_backends[self.account_id][self.region].get_function(name)
        except Exception:
            return None, None
        throttle = None
        for stage in api.stages.values():
            # From a template the settings keep CloudFormation's names; from the API, camelCase.
            s = {k[0].lower() + k[1:]: v for k, v in (getattr(stage, "default_route_settings", None) or {}).items()}
            if s.get("throttlingRateLimit") is not None and s.get("throttlingBurstLimit") is not None:
                throttle = (float(s["throttlingRateLimit"]), int(s["throttlingBurstLimit"]))
        return fn, throttle

    def current(self, fn, throttle):
        """The running version for this code and configuration; a changed one replaces it."""
        key = version_key(fn, throttle)
        with self.version_lock:
            if self.version is None or self.version.key != key:
                old, self.version = self.version, FunctionVersion(self.api_id, fn, throttle, self.region)
                if old:
                    old.stop()
            return self.version

    ROUTE_AUTH = "x-cachedemo-route-auth"

    def forward(self, req, port, body, iam):
        """To the function's front; a route that needs IAM is marked so the front checks the
        signature (a caller's own mark is dropped: it could only ask for more checking)."""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {k: v for k, v in req.headers.items() if k.lower() not in HOP_BY_HOP | {self.ROUTE_AUTH}}
        if iam:
            headers[self.ROUTE_AUTH] = "AWS_IAM"
        try:
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.request(req.command, req.path, body=body or None, headers=headers)
            res = conn.getresponse()
            data = res.read()
        except Exception as e:
            return self.reply(req, 502, {"message": "Internal Server Error", "emulator": f"the function's front: {e}"})
        finally:
            conn.close()
        req.send_response(res.status)
        for k, v in res.getheaders():
            # The length and the date are this relay's own to send.
            if k.lower() not in HOP_BY_HOP | {"content-length", "date"}:
                req.send_header(k, v)
        req.send_header("content-length", str(len(data)))
        req.end_headers()
        if req.command != "HEAD":
            req.wfile.write(data)

    @staticmethod
    def reply(req, status, doc):
        data = json.dumps(doc, separators=(",", ":")).encode()  # as API Gateway writes it
        req.send_response(status)
        req.send_header("content-type", "application/json")
        req.send_header("content-length", str(len(data)))
        req.end_headers()
        if req.command != "HEAD":
            req.wfile.write(data)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        with self.version_lock:
            if self.version:
                self.version.stop()
                self.version = None


def start_api(api_id, account_id, region):
    return _register(_apis, api_id, ApiServer(api_id, account_id, region))


def stop_api(api_id):
    _unregister(_apis, api_id)
