"""Runs `openstack` commands one after another in one interpreter.

The same entry point as /usr/bin/openstack (openstackclient.shell.main), a fresh
OpenStackShell per command, without paying Python's start-up and the imports of
every plugin for each of the many commands a cycle test makes.

Protocol: one JSON array of arguments per stdin line; one JSON object
{"rc": int, "stdout": str, "stderr": str} per stdout line.
"""
import contextlib
import io
import json
import logging
import sys

from openstackclient.shell import main

replies = sys.stdout
for line in sys.stdin:
    argv = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:  # argparse errors exit
            rc = e.code if isinstance(e.code, int) else 1
    # Each shell adds its console handler to the root logger: drop them so
    # messages are not repeated into later commands' stderr.
    logging.getLogger().handlers.clear()
    replies.write(json.dumps({"rc": rc, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\n")
    replies.flush()
