"""A proxy in front of the AWS emulator that fails every fifth request (20%) before
forwarding it: answering Throttling (S3: 503 SlowDown, as S3 does), answering 503, or
dropping the connection, in turn. Requests it fails never reach the emulator, so a retry is always safe.

usage: fault_proxy.py UPSTREAM_URL [--die-after ACTION] [--no-faults]
  prints its port on the first line; GET /__faults says how many requests it failed.
  --die-after ACTION  after forwarding that action (e.g. ExecuteChangeSet), the proxy
                      stops listening: the emulator is gone while deploy waits.
  --no-faults         forward everything (a plain proxy).
It also forwards absolute-URI requests, as a forward proxy (http_proxy) receives them;
GET /__forwarded says how many it has forwarded; GET /__actions, how many of each
query API action (Action=...) it forwarded, as JSON.
"""
import http.client, json, sys, threading
from urllib.parse import parse_qsl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

upstream = urlparse(sys.argv[1])
die_after = sys.argv[sys.argv.index("--die-after") + 1] if "--die-after" in sys.argv else None
inject = "--no-faults" not in sys.argv
lock = threading.Lock()
counter = {"n": 0, "faults": 0, "forwarded": 0}
actions = {}
FAULTS = ["throttle", "503", "drop"]


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/__faults":
            return self.send_plain(200, str(counter["faults"]).encode())
        if self.path == "/__forwarded":
            return self.send_plain(200, str(counter["forwarded"]).encode())
        if self.path == "/__actions":
            return self.send_plain(200, json.dumps(actions).encode(), "application/json")
        action = dict(parse_qsl(body.decode(errors="replace"))).get("Action") if body else None
        path = self.path
        if path.startswith("http://"):  # a forward-proxy request: absolute URI
            path = urlparse(path)._replace(scheme="", netloc="").geturl()
        with lock:
            counter["n"] += 1
            counter["forwarded"] += 1
            if action:
                actions[action] = actions.get(action, 0) + 1
            fault = FAULTS[(counter["n"] // 5) % 3] if inject and counter["n"] % 5 == 2 else None
            if fault:
                counter["faults"] += 1
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault == "throttle" and "/s3/aws4_request" in self.headers.get("Authorization", ""):
            fault = "503"  # S3 throttles with 503 SlowDown (a HEAD answer has no body to name a code)
        if fault == "throttle":
            return self.send_plain(400, b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                                        b"<Message>Rate exceeded</Message></Error></ErrorResponse>", "text/xml")
        if fault == "503":
            return self.send_plain(503, b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
                                   "application/xml")
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        conn.request(self.command, path, body=body if body else None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()
        if die_after and f"Action={die_after}".encode() in body:
            self.wfile.flush()
            die()

    def send_plain(self, status, body, ctype="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


def die():
    """Stop at once, every connection dropped: what a killed emulator looks like."""
    import os
    os._exit(0)


server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
print(server.server_address[1], flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
server.serve_forever()
