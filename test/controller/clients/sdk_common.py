"""What the openstacksdk scripts share: the connection and the line protocol
with client-harness.ts (results out, activation requests answered on stdin)."""
import json
import sys

import openstack


def connect():
    # OS_CLOUD and OS_CLIENT_CONFIG_FILE come from the harness: the shipped clouds.yaml.
    return openstack.connect()


def emit(key, value):
    """Hands a value to the TypeScript side, which asserts on it."""
    if hasattr(value, "to_dict"):
        value = value.to_dict(computed=False)
    elif isinstance(value, (list, tuple)) or hasattr(value, "__next__"):
        value = [v.to_dict(computed=False) if hasattr(v, "to_dict") else v for v in value]
    print(json.dumps({"result": key, "value": value}, default=str), flush=True)


def activate(lb_id):
    """Asks the harness to do what the worker would: bring the graph to ACTIVE."""
    print(json.dumps({"activate": lb_id}), flush=True)
    sys.stdin.readline()


def error_of(call):
    """The HTTP status and message of a call that must fail."""
    try:
        call()
    except openstack.exceptions.HttpException as e:
        return {"status": e.status_code, "message": str(e)}
    raise AssertionError("the call succeeded")
