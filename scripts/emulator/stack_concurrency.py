"""CloudFormation's rules for operations that race on one stack, and the tokens on events.

moto 5.2.1 checks none of them: CreateChangeSet of type CREATE for a stack that exists
makes a second stack of the same name, a change set name may repeat, ExecuteChangeSet runs
a change set made before another execution (or while the stack is busy), and no event
carries the ClientRequestToken of the operation that wrote it. So two deploys of one stack
both "succeed" and one is silently lost, which is what the tests must be able to catch.

What AWS does, and this module does too:
- a change set name is unique per stack (AlreadyExistsException); CREATE only for a new
  stack or one in REVIEW_IN_PROGRESS (a ValidationError: "Stack [x] already exists and
  cannot be created again with the changeSet [y].");
- ExecuteChangeSet on a stack in another operation is a ValidationError ("... is in
  UPDATE_IN_PROGRESS state and can not be updated."); executing a change set deletes the
  stack's other change sets, "because they aren't valid for the updated stack", so a
  stale one is ChangeSetNotFound when executed or described;
- every event an ExecuteChangeSet, DeleteStack, CreateStack or UpdateStack writes carries
  the ClientRequestToken that call was given.
The checks and the busy mark happen under one lock (the server answers on threads); the
execution itself runs outside it, and a failed one leaves the stack rolled back, not busy.
"""
import threading

_lock = threading.RLock()
_request = threading.local()  # the ClientRequestToken of the operation this thread runs


def apply():
    from moto.cloudformation import models, responses
    from moto.cloudformation.exceptions import AlreadyExistsException, CloudFormationError, ValidationError

    class ChangeSetNotFound(CloudFormationError):
        code = "ChangeSetNotFound"

        def __init__(self, name):
            super().__init__(f"ChangeSet [{name}] does not exist")

    _tokens_on_events(models)
    backend = models.CloudFormationBackend

    def find(self, change_set_name):
        return self.change_sets.get(change_set_name) or next(
            (c for c in self.change_sets.values() if c.change_set_name == change_set_name), None)

    create = backend.create_change_set

    def create_change_set(self, stack_name, change_set_name, *args, change_set_type="CREATE", **kwargs):
        with _lock:
            live = [s for s in self.stacks.values() if s.name == stack_name and s.status != "REVIEW_IN_PROGRESS"]
            if any(c.stack_name == stack_name and c.change_set_name == change_set_name for c in self.change_sets.values()):
                raise AlreadyExistsException(f"ChangeSet {change_set_name} already exists")
            if change_set_type == "CREATE" and live:
                raise ValidationError(message=f"Stack [{stack_name}] already exists and cannot be created again "
                                              f"with the changeSet [{change_set_name}].")
            return create(self, stack_name, change_set_name, *args, change_set_type=change_set_type, **kwargs)

    describe = backend.describe_change_set

    def describe_change_set(self, change_set_name):
        if find(self, change_set_name) is None:
            raise ChangeSetNotFound(change_set_name)
        return describe(self, change_set_name)

    execute = backend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):
        with _lock:
            change_set = find(self, change_set_name)
            if change_set is None:
                raise ChangeSetNotFound(change_set_name)
            stack = self.stacks[change_set.stack_id]
            # moto makes a stack object per CREATE change set; AWS has one stack of that name.
            same_name = [s for s in self.stacks.values() if s.name == stack.name]
            busy = next((s for s in same_name if s.status.endswith("_IN_PROGRESS") and s.status != "REVIEW_IN_PROGRESS"), None)
            if busy is not None:
                raise ValidationError(message=f"Stack:{busy.stack_id} is in {busy.status} state and can not be updated.")
            for key, other in list(self.change_sets.items()):
                if other is not change_set and other.stack_name == stack.name:
                    del self.change_sets[key]
            for other in same_name:
                if other is not stack and other.status == "REVIEW_IN_PROGRESS":
                    del self.stacks[other.stack_id]
            stack.status = f"{change_set.change_set_type}_IN_PROGRESS"
        try:
            execute(self, change_set_name, stack_name)
        except Exception:
            # moto's engine fails the call itself; the stack must not stay busy for ever (AWS
            # rolls back: ROLLBACK_COMPLETE after a create, UPDATE_ROLLBACK_COMPLETE after an update).
            if stack.status.endswith("_IN_PROGRESS"):
                stack.status = "ROLLBACK_COMPLETE" if change_set.change_set_type == "CREATE" else "UPDATE_ROLLBACK_COMPLETE"
            raise

    backend.create_change_set = create_change_set
    backend.describe_change_set = describe_change_set
    backend.execute_change_set = execute_change_set
    _remember_tokens(responses.CloudFormationResponse)


def _tokens_on_events(models):
    """Each Event made while a request runs carries that request's ClientRequestToken."""
    init = models.Event.__init__

    def event_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.client_request_token = getattr(_request, "token", None)

    models.Event.__init__ = event_init


def _remember_tokens(response_class):
    for action in ("execute_change_set", "delete_stack", "create_stack", "update_stack"):
        original = getattr(response_class, action)

        def with_token(self, _original=original):
            _request.token = self._get_param("ClientRequestToken")
            try:
                return _original(self)
            finally:
                _request.token = None

        setattr(response_class, action, with_token)
