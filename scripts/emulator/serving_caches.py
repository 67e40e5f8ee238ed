"""A deployed cache, served: a redis-server per replication group or serverless cache."""
import os
import secrets
import shutil
import subprocess
import time

from serving_processes import *  # noqa: F401,F403  the shared folder, ports, spawner, certificates
from serving_processes import _lock, _register, _state, _unregister

_servers: dict[str, "CacheServer"] = {}   # replication group id -> its redis-server


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




def start_cache(group_id, token, tls=True, acl=(), cluster=False):
    stop_cache(group_id)
    return _register(_servers, group_id, CacheServer(group_id, token, tls, acl, cluster))


def cache(group_id):
    with _lock:
        return _servers.get(group_id)


def stop_cache(group_id):
    _unregister(_servers, group_id)
