"""A CloudFormation endpoint with recorded response sequences, for what moto cannot do:
per-resource events (each with its operation's ClientRequestToken), a failed create that
rolls back to ROLLBACK_COMPLETE, AWS's FAILED
change set for a no-op update, and an endpoint that dies while deploy waits. Every
request must be signed with the given key (checked with botocore).

usage: fake_cloudformation.py ACCESS_KEY SECRET_KEY SCENARIO
  rollback           the first create fails on Cache and rolls back; later creates succeed
  dies-while-waiting after ExecuteChangeSet, answers twice "in progress", then exits
  complete           the stack exists and is CREATE_COMPLETE (as after the above, on AWS)
  stuck              after ExecuteChangeSet the create never finishes
  busy               the stack exists mid-update; the update finishes a few looks later
Prints its port on the first line.
"""
import os, sys, threading, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sigcheck import signature_ok  # noqa: E402

ACCESS, SECRET, SCENARIO = sys.argv[1], sys.argv[2], sys.argv[3]
NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
lock = threading.Lock()
state = {"stack": None, "status": None, "events": [], "pending": [], "creates": 0, "describes_while_waiting": 0,
         "name": "fake"}
if SCENARIO in ("complete", "busy"):
    state.update(stack=f"arn:aws:cloudformation:us-east-1:123456789012:stack/PLACEHOLDER/{uuid.uuid4()}",
                 status="CREATE_COMPLETE")
if SCENARIO == "busy":
    state["status"] = "UPDATE_IN_PROGRESS"

RESOURCES = [("Vpc", "AWS::EC2::VPC"), ("Cache", "AWS::ElastiCache::ReplicationGroup"), ("Function", "AWS::Lambda::Function")]


def event(logical, rtype, status, reason=""):
    return {"id": str(uuid.uuid4()), "time": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "logical": logical, "type": rtype, "status": status, "reason": reason}


def stack_event(status, reason=""):
    return event(state["name"], "AWS::CloudFormation::Stack", status, reason)


def script_create(fail):
    seq = [stack_event("CREATE_IN_PROGRESS", "User Initiated")]
    seq += [event("Vpc", "AWS::EC2::VPC", "CREATE_IN_PROGRESS"), event("Vpc", "AWS::EC2::VPC", "CREATE_COMPLETE")]
    if fail:
        seq += [event("Cache", "AWS::ElastiCache::ReplicationGroup", "CREATE_IN_PROGRESS"),
                event("Function", "AWS::Lambda::Function", "CREATE_IN_PROGRESS"),
                event("Cache", "AWS::ElastiCache::ReplicationGroup", "CREATE_FAILED",
                      "Cache node type cache.t4g.micro is not available in us-east-1e (Service: ElastiCache, Status Code: 400)"),
                event("Function", "AWS::Lambda::Function", "CREATE_FAILED", "Resource creation cancelled"),
                stack_event("ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [Cache, Function]. Rollback requested by user."),
                event("Function", "AWS::Lambda::Function", "DELETE_COMPLETE"),
                event("Vpc", "AWS::EC2::VPC", "DELETE_COMPLETE"),
                stack_event("ROLLBACK_COMPLETE")]
    else:
        for logical, rtype in RESOURCES[1:]:
            seq += [event(logical, rtype, "CREATE_IN_PROGRESS"), event(logical, rtype, "CREATE_COMPLETE")]
        seq += [stack_event("CREATE_COMPLETE")]
    return seq


def member(fields):
    return "<member>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in fields.items() if v is not None) + "</member>"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, xml):
        body = xml.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, message):
        self.reply(status, f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
                           f'<Message>{escape(message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>')

    def ok(self, action, inner=""):
        self.reply(200, f'<{action}Response xmlns="{NS}"><{action}Result>{inner}</{action}Result>'
                        f'<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>')

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not signature_ok(self, body, ACCESS, SECRET):
            return self.error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
        params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        with lock:
            getattr(self, "act_" + params["Action"], self.unknown)(params)

    def unknown(self, params):
        self.error(400, "InvalidAction", params["Action"])

    def reveal(self):
        """Each look at the stack moves the recorded operation on by two events."""
        for _ in range(2):
            if state["pending"]:
                e = state["pending"].pop(0)
                state["events"].insert(0, e)
                if e["type"] == "AWS::CloudFormation::Stack":
                    state["status"] = e["status"]

    def act_ValidateTemplate(self, p):
        self.ok("ValidateTemplate", "<Capabilities><member>CAPABILITY_IAM</member></Capabilities>")

    def act_DescribeStacks(self, p):
        name = p["StackName"]
        if SCENARIO == "dies-while-waiting" and state["pending"]:
            state["describes_while_waiting"] += 1
            if state["describes_while_waiting"] > 2:
                os._exit(0)  # the endpoint goes away mid-deploy
        if state["stack"] and "PLACEHOLDER" in state["stack"]:
            state["stack"] = state["stack"].replace("PLACEHOLDER", name)
            state["name"] = name
        self.reveal() if SCENARIO != "dies-while-waiting" else None
        if SCENARIO == "busy" and state["status"] == "UPDATE_IN_PROGRESS" and not state["pending"]:
            # Another operation's (a console user's): its events carry its own token.
            state["pending"] = [dict(event("Function", "AWS::Lambda::Function", "UPDATE_COMPLETE"), token="Console-other"),
                                dict(stack_event("UPDATE_COMPLETE"), token="Console-other")]
        if not state["stack"] or (state["status"] == "DELETE_COMPLETE" and not name.startswith("arn:")):
            return self.error(400, "ValidationError", f"Stack with id {name} does not exist")
        self.ok("DescribeStacks", "<Stacks>" + member({
            "StackId": state["stack"], "StackName": state["name"], "StackStatus": state["status"],
            "CreationTime": "2026-11-27T00:00:00Z", "EnableTerminationProtection": "false"}) + "</Stacks>")

    def act_DescribeStackEvents(self, p):
        self.ok("DescribeStackEvents", "<StackEvents>" + "".join(member({
            "EventId": e["id"], "StackId": state["stack"], "StackName": state["name"], "LogicalResourceId": e["logical"],
            "PhysicalResourceId": e["logical"].lower(), "ResourceType": e["type"], "Timestamp": e["time"],
            "ResourceStatus": e["status"], "ResourceStatusReason": e["reason"] or None,
            "ClientRequestToken": e.get("token")}) for e in state["events"]) + "</StackEvents>")

    def act_DescribeStackResources(self, p):
        self.ok("DescribeStackResources", "<StackResources>" + "".join(member({
            "LogicalResourceId": l, "PhysicalResourceId": l.lower(), "ResourceType": t, "ResourceStatus": "CREATE_COMPLETE"})
            for l, t in RESOURCES) + "</StackResources>")

    def act_CreateChangeSet(self, p):
        if SCENARIO in ("complete", "busy") or (state["stack"] and state["status"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")):
            state["changeset"] = {"status": "FAILED", "type": p["ChangeSetType"], "reason":
                                  "The submitted information didn't contain changes. Submit different information to create a change set."}
        else:
            state["name"] = p["StackName"]
            state["stack"] = f"arn:aws:cloudformation:us-east-1:123456789012:stack/{p['StackName']}/{uuid.uuid4()}"
            state["status"] = "REVIEW_IN_PROGRESS"
            state["events"] = [stack_event("REVIEW_IN_PROGRESS", "User Initiated")]
            state["changeset"] = {"status": "CREATE_COMPLETE", "type": p["ChangeSetType"], "reason": None}
        self.ok("CreateChangeSet", f"<Id>arn:aws:cloudformation:us-east-1:123456789012:changeSet/{p['ChangeSetName']}/1</Id>"
                                   f"<StackId>{state['stack']}</StackId>")

    def act_DescribeChangeSet(self, p):
        cs = state["changeset"]
        changes = "" if cs["status"] == "FAILED" else "<Changes>" + "".join(
            f"<member><Type>Resource</Type><ResourceChange><Action>Add</Action><LogicalResourceId>{l}</LogicalResourceId>"
            f"<ResourceType>{t}</ResourceType></ResourceChange></member>" for l, t in RESOURCES) + "</Changes>"
        reason = f"<StatusReason>{escape(cs['reason'])}</StatusReason>" if cs["reason"] else ""
        self.ok("DescribeChangeSet", f"<ChangeSetId>{p['ChangeSetName']}</ChangeSetId><StackId>{state['stack']}</StackId>"
                                     f"<Status>{cs['status']}</Status>{reason}<ExecutionStatus>AVAILABLE</ExecutionStatus>{changes}")

    def act_GetTemplate(self, p):
        # The recorded stack's template carries nothing of the cache's shape: no shape change.
        self.ok("GetTemplate", "<TemplateBody>{&quot;Resources&quot;: {}}</TemplateBody>")

    def act_DeleteChangeSet(self, p):
        self.ok("DeleteChangeSet")

    def act_ExecuteChangeSet(self, p):
        state["creates"] += 1
        state["status"] = "CREATE_IN_PROGRESS"
        state["pending"] = script_create(fail=SCENARIO == "rollback" and state["creates"] == 1)
        if SCENARIO == "stuck":
            state["pending"] = state["pending"][:2]  # started, and then nothing more
        self.tag(state["pending"], p)
        self.ok("ExecuteChangeSet")

    @staticmethod
    def tag(events, p):
        """As CloudFormation does: every event of an operation carries the token its call was given."""
        for e in events:
            e["token"] = p.get("ClientRequestToken")

    def act_DeleteStack(self, p):
        state["pending"] = [stack_event("DELETE_IN_PROGRESS", "User Initiated"),
                            event("Vpc", "AWS::EC2::VPC", "DELETE_COMPLETE"), stack_event("DELETE_COMPLETE")]
        state["status"] = "DELETE_IN_PROGRESS"
        self.tag(state["pending"], p)
        self.ok("DeleteStack")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
server.serve_forever()
