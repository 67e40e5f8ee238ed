"""Per-resource stack events, as CloudFormation reports them.

moto's DescribeStackEvents has stack-level events only. CloudFormation reports each
resource's CREATE/UPDATE/DELETE_IN_PROGRESS and _COMPLETE (or _FAILED with the reason),
which is what deploy's progress and its timeline read. moto creates, updates and deletes
resources one by one in dependency order, synchronously: wrap each step with its events.
"""
import threading


_deleting = threading.local()


def _stack(resource_map):
    from moto.cloudformation.models import cloudformation_backends
    backend = cloudformation_backends[resource_map._account_id][resource_map._region_name]
    # A stack being deleted is in neither of moto's lists until it is done: it is _deleting's.
    return backend.stacks.get(resource_map.stack_id) or getattr(_deleting, "stack", None)


def _event(resource_map, logical_id, resource_type, physical_id, status, reason=None):
    from moto.cloudformation.models import Event
    stack = _stack(resource_map) if resource_map is not None else None
    if stack is None:
        return
    stack.events.append(Event(stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=logical_id,
                              physical_resource_id=physical_id or "", resource_type=resource_type,
                              resource_status=status, resource_status_reason=reason, resource_properties=None))


def _wrap_step(module, name, verb, logical_of, map_of):
    original = getattr(module, name)

    def step(*args, **kwargs):
        resource_map = map_of(args, kwargs)
        logical_id, resource_type = logical_of(args, kwargs, resource_map)
        if logical_id is None:
            return original(*args, **kwargs)
        _event(resource_map, logical_id, resource_type, None, f"{verb}_IN_PROGRESS")
        try:
            result = original(*args, **kwargs)
        except Exception as e:
            _event(resource_map, logical_id, resource_type, None, f"{verb}_FAILED", str(e)[:500])
            raise
        physical = getattr(result, "physical_resource_id", None) if result is not None else None
        _event(resource_map, logical_id, resource_type, physical, f"{verb}_COMPLETE")
        return result

    setattr(module, name, step)


def apply():
    import moto.cloudformation.parsing as parsing


    def by_logical(args, kwargs, resource_map):
        logical_id, resource_json = args[0], args[1]
        return logical_id, resource_json.get("Type", "")

    _wrap_step(parsing, "parse_and_create_resource", "CREATE", by_logical, lambda a, k: a[2])
    _wrap_step(parsing, "parse_and_update_resource", "UPDATE", by_logical, lambda a, k: a[2])
    _wrap_deletes(parsing.ResourceMap)


def _wrap_deletes(cls):
    """moto deletes in passes, retrying what a dependency still holds: one IN_PROGRESS per
    resource, and COMPLETE when it is gone (a retried failure is not the stack's failure)."""
    original = cls._delete_resource

    def _delete_resource(self, parsed_resource, resource_json):
        logical_id = getattr(parsed_resource, "logical_resource_id", None)
        resource_type = resource_json.get("Type", "")
        started = self.__dict__.setdefault("_cachedemo_deleting", set())
        if logical_id and logical_id not in started:
            started.add(logical_id)
            _event(self, logical_id, resource_type, None, "DELETE_IN_PROGRESS")
        result = original(self, parsed_resource, resource_json)
        if logical_id:
            _event(self, logical_id, resource_type, getattr(parsed_resource, "physical_resource_id", None), "DELETE_COMPLETE")
        return result

    cls._delete_resource = _delete_resource

    from moto.cloudformation.models import Stack
    delete_stack = Stack.delete

    def delete(self):
        _deleting.stack = self
        try:
            delete_stack(self)
        finally:
            _deleting.stack = None

    Stack.delete = delete
