"""Local stand-ins for tests, on 127.0.0.1, printing their port on the first line.

  metadata: IMDSv2 (token, role, credentials) and the container credentials endpoint
  faults FAULTS...: answers each request with the next fault (throttle, 503, drop,
                    skew, silent: never answers) and then with a GetCallerIdentity answer; GET /count says
                    how many requests arrived.
  tls CERT KEY:     GetCallerIdentity answers over TLS with the given certificate.
  nocache:          an upstream API whose every GET answer says Cache-Control: no-cache.
"""
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode = sys.argv[1]
faults = list(sys.argv[2:])
lock = threading.Lock()
count = {"n": 0}
IDENTITY = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
            b'<Arn>arn:aws:iam::111122223333:user/fault</Arn><UserId>AIDA</UserId><Account>111122223333</Account>'
            b'</GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>')
CREDS = {"Code": "Success", "AccessKeyId": "ASIAMETADATA", "SecretAccessKey": "metadata-secret",
         "Token": "metadata-token", "Expiration": "2099-01-01T00:00:00Z"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    server_date = None

    def log_message(self, *args):
        pass

    def date_time_string(self, timestamp=None):
        return self.server_date or super().date_time_string(timestamp)

    def send(self, status, body, ctype="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self.send(200, b"imds-session-token", "text/plain")
        else:
            self.send(403, b"", "text/plain")

    def do_GET(self):
        if mode == "nocache":
            body = json.dumps({"path": self.path}).encode()
            self.send_response(200)
            for k, v in (("Content-Type", "application/json"), ("Cache-Control", "no-cache"), ("Content-Length", str(len(body)))):
                self.send_header(k, v)
            self.end_headers()
            return self.wfile.write(body)
        if mode == "faults" and self.path == "/count":
            return self.send(200, str(count["n"]).encode(), "text/plain")
        if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != "imds-session-token":
                return self.send(401, b"", "text/plain")
            role = self.path.rsplit("/", 1)[1]
            if not role:
                return self.send(200, b"cachedemo-role", "text/plain")
            return self.send(200, json.dumps(CREDS).encode())
        if self.path == "/container-creds":
            if self.headers.get("Authorization") != "container-auth-token":
                return self.send(401, b"{}")
            c = dict(CREDS, AccessKeyId="ASIACONTAINER")
            return self.send(200, json.dumps(c).encode())
        self.send(404, b"{}")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        with lock:
            count["n"] += 1
            fault = faults.pop(0) if faults else None
        if fault == "throttle":
            return self.send(400, b'<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>', "text/xml")
        if fault == "503":
            return self.send(503, b"<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error></ErrorResponse>", "text/xml")
        if fault == "silent":  # takes the request and never answers
            import time
            time.sleep(20)
            self.close_connection = True
            return
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault == "skew":
            self.server_date = "Wed, 01 Jan 2031 00:00:00 GMT"
            return self.send(403, b'<ErrorResponse><Error><Code>RequestTimeTooSkewed</Code><Message>skewed</Message></Error></ErrorResponse>',
                             "text/xml")
        if fault == "denied":
            return self.send(403, b'<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>', "text/xml")
        self.send(200, IDENTITY, "text/xml")


if mode == "tls":
    cert, key = faults[0], faults[1]
    faults.clear()
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if mode == "tls":
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
server.serve_forever()
