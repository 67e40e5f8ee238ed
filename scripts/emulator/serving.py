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
import ctypes
import hashlib
import http.client
import io
import json
import os
import queue
import secrets
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FRONT_FILES = [os.path.join(REPO, "lambda", "local", name) for name in ("front.mjs", "sigv4-verify.mjs", "throttle.mjs")]
NODE24 = os.path.join(REPO, "scripts", "node24")
DEBUG = bool(os.environ.get("CACHEDEMO_EMULATOR_DEBUG"))

_state = {"dir": None, "certs": None, "iam_key": None}
_lock = threading.Lock()
_servers: dict[str, "CacheServer"] = {}   # replication group id -> its redis-server
_apis: dict[str, "ApiServer"] = {}        # api id -> its HTTP server


def configure(iam_key):
    """The key pair AWS_IAM routes accept (the emulator's IAM user's)."""
    _state["iam_key"] = iam_key


def state_dir():
    """This emulator's folder, named for its pid; folders of emulators that died without
    cleaning up (SIGKILL) are removed, keys and all."""
    with _lock:
        if _state["dir"] is None:
            _remove_stale_state_dirs()
            _state["dir"] = tempfile.mkdtemp(prefix=f"cachedemo-emulator-{os.getpid()}-")
            os.chmod(_state["dir"], 0o700)
        return _state["dir"]


def _remove_stale_state_dirs():
    root = tempfile.gettempdir()
    for name in os.listdir(root):
        m = re.match(r"^cachedemo-emulator-(\d+)-", name)
        path = os.path.join(root, name)
        if not m or not os.path.isdir(path) or os.stat(path).st_uid != os.getuid():
            continue
        try:
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:
            pass


# Headers of one connection, not of the message (RFC 9110 §7.6.1): a relay never passes them on.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, process, what, timeout=10):
    """Until the child listens on `port`. The port was free when chosen, but another process
    (another emulator, a test) may have taken it since: a child that then fails to bind
    exits at once, which the grace period catches, instead of another's server answering."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise PortTaken(f"{what} exited with status {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                time.sleep(0.1)
                if process.poll() is not None:
                    raise PortTaken(f"{what} exited with status {process.returncode}")
                return
        time.sleep(0.02)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout} s")


class PortTaken(RuntimeError):
    """The child exited while starting: most likely its port was taken; try another."""


def start_listening(start, attempts=3):
    """Runs `start()` (which picks a port and waits for it) again when the port was taken."""
    for attempt in range(attempts):
        try:
            return start()
        except PortTaken:
            if attempt == attempts - 1:
                raise


class _Spawner:
    """Starts every child from one thread that lives as long as the emulator, each with a
    parent-death signal, so nothing outlives an emulator that is killed outright."""

    def __init__(self):
        self.jobs = queue.Queue()
        threading.Thread(target=self._run, daemon=True, name="cachedemo-spawner").start()

    def _run(self):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        while True:
            args, kwargs, done = self.jobs.get()
            try:
                done.put(subprocess.Popen(args, preexec_fn=lambda: libc.prctl(1, signal.SIGTERM), **kwargs))
            except Exception as e:  # handed to the caller
                done.put(e)

    def popen(self, args, **kwargs):
        done = queue.Queue()
        self.jobs.put((args, kwargs, done))
        result = done.get()
        if isinstance(result, Exception):
            raise result
        return result


_spawner = None


def spawn(args, **kwargs):
    global _spawner
    with _lock:
        if _spawner is None:
            _spawner = _Spawner()
    output = None if DEBUG else subprocess.DEVNULL
    return _spawner.popen(args, stdin=subprocess.PIPE, stdout=output, stderr=output, **kwargs)


def stop_process(p):
    if p is None or p.poll() is not None:
        return
    p.terminate()
    try:
        p.wait(3)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


_certs_lock = threading.Lock()


def certificates():
    """A CA and a server certificate for 127.0.0.1, made once per emulator (under a lock:
    two stacks created at once must not each write half of them)."""
    with _certs_lock:
        if not _state["certs"]:
            _state["certs"] = _make_certificates()
        return _state["certs"]


def _make_certificates():
    d = os.path.join(state_dir(), "tls")
    os.makedirs(d, exist_ok=True)

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7", "-subj", "/CN=cachedemo emulator CA",
            "-keyout", "ca.key", "-out", "ca.pem")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr")
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "7",
            "-extfile", "san.ext", "-out", "server.pem")
    return {name: os.path.join(d, f) for name, f in (("ca", "ca.pem"), ("cert", "server.pem"), ("key", "server.key"))}


# --- the cache -----------------------------------------------------------------------------

class CacheServer:
    """One replication group's primary: redis-server, TLS only, AUTH with the group's token."""

    def __init__(self, group_id, token, tls, acl=(), cluster=False):
        self.group_id, self.token, self.tls, self.acl, self.cluster = group_id, token, tls, list(acl), cluster
        # A cluster (cluster mode enabled, or serverless) is one node holding every slot; the
        # emulator sets it up as an admin user of its own, whatever the users may do.
        self.admin = ("cachedemo-emulator", secrets.token_hex(16)) if cluster else None
        self.dir = os.path.join(state_dir(), f"cache-{group_id}")
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        self.conf = os.path.join(self.dir, "redis.conf")
        start_listening(self._start)

    def _config(self, port):
        lines = ["bind 127.0.0.1", 'save ""', "appendonly no", f"dir {self.dir}"]
        if self.tls:
            certs = certificates()
            lines += ["port 0", f"tls-port {port}", f"tls-cert-file {certs['cert']}", f"tls-key-file {certs['key']}",
                      f"tls-ca-cert-file {certs['ca']}", "tls-auth-clients no"]
        else:
            lines.append(f"port {port}")
        if self.token:
            lines.append(f"requirepass {self.token}")
        lines += self.acl  # RBAC users (a user group), "user <name> ..." lines
        if self.cluster:
            # tls-cluster: the node then reports its TLS port to clients (CLUSTER SHARDS/SLOTS).
            lines += ["cluster-enabled yes", f"cluster-config-file {os.path.join(self.dir, 'nodes.conf')}",
                      f"cluster-port {free_port()}"] + (["tls-cluster yes"] if self.tls else []) + [
                      f"user {self.admin[0]} on >{self.admin[1]} ~* &* +@all"]
        return "\n".join(lines) + "\n"

    def _start(self):
        self.port = free_port()
        fd = os.open(self.conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # the token: never on a command line
        with os.fdopen(fd, "w") as f:
            f.write(self._config(self.port))
        self.process = spawn([shutil.which("redis-server") or "redis-server", self.conf])
        wait_listening(self.port, self.process, f"redis-server for {self.group_id}")
        if self.cluster:
            self._own_every_slot()

    def _own_every_slot(self):
        """CLUSTER ADDSLOTSRANGE 0 16383 with redis-cli, then wait for cluster_state:ok."""
        cli = [shutil.which("redis-cli") or "redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "--user", self.admin[0]]
        if self.tls:
            cli += ["--tls", "--cacert", certificates()["ca"]]
        env = dict(os.environ, REDISCLI_AUTH=self.admin[1])
        subprocess.run(cli + ["CLUSTER", "ADDSLOTSRANGE", "0", "16383"], env=env, check=True, capture_output=True, timeout=10)
        for _ in range(200):
            out = subprocess.run(cli + ["CLUSTER", "INFO"], env=env, capture_output=True, text=True, timeout=10).stdout
            if "cluster_state:ok" in out:
                return
            time.sleep(0.05)
        raise RuntimeError(f"the cluster for {self.group_id} did not come up")

    def stop(self):
        stop_process(self.process)
        shutil.rmtree(self.dir, ignore_errors=True)


def _register(registry, key, server):
    with _lock:
        registry[key] = server
    return server


def _unregister(registry, key):
    with _lock:
        server = registry.pop(key, None)
    if server:
        server.stop()


def start_cache(group_id, token, tls=True, acl=(), cluster=False):
    stop_cache(group_id)
    return _register(_servers, group_id, CacheServer(group_id, token, tls, acl, cluster))


def cache(group_id):
    with _lock:
        return _servers.get(group_id)


def stop_cache(group_id):
    _unregister(_servers, group_id)


# --- the HTTP API ----------------------------------------------------------------------------

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


# --- dynamic references ----------------------------------------------------------------------

_REFERENCE = re.compile(r"\{\{resolve:(secretsmanager|ssm|ssm-secure):([^}]+)\}\}")


def resolve_references(text, account_id, region):
    """Replaces each {{resolve:…}} in a string with the value the emulator's Secrets Manager
    or SSM holds, as CloudFormation does before it hands the property to the resource."""
    def one(m):
        service, rest = m.group(1), m.group(2)
        try:
            if service == "secretsmanager":
                return _secret(rest, account_id, region)
            from moto.ssm.models import ssm_backends
            name, _, version = rest.partition(":")
            return ssm_backends[account_id][region].get_parameter(f"{name}:{version}" if version else name).value
        except Exception:
            # moto also evaluates properties for change sets and describe calls, before the
            # secret exists; the resource itself is created after it, and resolves then.
            return m.group(0)
    return _REFERENCE.sub(one, text)


def _secret(rest, account_id, region):
    """secret-id[:SecretString[:json-key[:version-stage[:version-id]]]]; a full ARN's own
    colons belong to the id."""
    from moto.secretsmanager.models import secretsmanager_backends
    parts = rest.split(":")
    n = 7 if rest.startswith("arn:") else 1
    secret_id, fields = ":".join(parts[:n]), parts[n:]
    json_key = fields[1] if len(fields) > 1 and fields[1] else None
    stage = fields[2] if len(fields) > 2 and fields[2] else None
    version = fields[3] if len(fields) > 3 and fields[3] else None
    value = secretsmanager_backends[account_id][region].get_secret_value(
        secret_id=secret_id, version_id=version, version_stage=stage)
    text = value["SecretString"] if isinstance(value, dict) else json.loads(value)["SecretString"]
    return str(json.loads(text)[json_key]) if json_key else text


def patch_dynamic_references():
    """moto's template functions leave {{resolve:…}} as it is: resolve it after them."""
    import moto.cloudformation.parsing as parsing

    original = parsing.clean_json

    def clean_json(resource_json, resources_map):
        result = original(resource_json, resources_map)
        if isinstance(result, str) and "{{resolve:" in result:
            return resolve_references(result, resources_map._account_id, resources_map._region_name)
        return result

    parsing.clean_json = clean_json
