"""What everything the emulator serves shares: its folder (removed, keys and all, when the
emulator that made it is gone), its TLS certificates, free ports, and one long-lived thread
that starts every child with a parent-death signal."""
import ctypes
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEBUG = bool(os.environ.get("CACHEDEMO_EMULATOR_DEBUG"))

_state = {"dir": None, "certs": None, "iam_key": None, "endpoint": None}
_lock = threading.Lock()


def configure(iam_key, endpoint=None):
    """The key pair AWS_IAM routes accept (the emulator's IAM user's), and where the
    emulator answers (what a served function reaches AWS services at)."""
    _state["iam_key"] = iam_key
    _state["endpoint"] = endpoint


def emulator_endpoint():
    return _state["endpoint"] or ""


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

# A registry of what is being served (caches, APIs), each stopped when it is taken out.
def _register(registry, key, server):
    with _lock:
        registry[key] = server
    return server


def _unregister(registry, key):
    with _lock:
        server = registry.pop(key, None)
    if server:
        server.stop()
