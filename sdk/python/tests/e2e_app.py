"""A small application using the installed SDK, driven by the end-to-end test over stdin/stdout (the JS SDK's
test app's twin): `log N` logs N records through stdlib logging and structlog in turn; `switch N` logs N
through stdlib logging, marked as after the policy switch; `stop` shuts the SDK down. One JSON line answers
each command; each policy put in force is told; the app is ready once it has one."""

import json
import logging
import os
import sys
import threading

import structlog

import logsift

service = os.environ["SERVICE"]
policy_seen = threading.Event()


def say(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def told(policy):
    say({"event": "policy", "version": policy["version"]})
    policy_seen.set()


handle = logsift.configure(service, os.environ["LOGSIFT_ENDPOINT"], policy_cache=os.environ["POLICY_FILE"], wait_seconds=5, report_interval_seconds=0.2, on_error=lambda e: sys.stderr.write(e + "\n"), on_policy=told)
logging.getLogger().setLevel(logging.DEBUG)
stdlib = logging.getLogger("shop")
structlog.configure(
    processors=[structlog.stdlib.add_log_level, handle.structlog_processor(), structlog.stdlib.render_to_log_kwargs],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
)
via_structlog = structlog.get_logger("shop.struct")
policy_seen.wait()
say({"event": "ready"})

logged = 0


def line(i, marker):
    kind = i % 10
    if kind == 0:
        return logging.ERROR, f"{marker}payment {i} failed: card_declined for order {i * 7}"
    if kind < 4:
        return logging.DEBUG, f"{marker}cache miss for key product:{i}:price"
    if kind < 6:
        return logging.INFO, f"{marker}user {i} logged in from 10.0.{i % 250}.{i % 7}"
    return logging.INFO, f"{marker}GET /api/items/{i} 200 {i % 97}ms"


def log(n, channels, marker):
    global logged
    for _ in range(n):
        level, text = line(logged, marker)
        channel = channels[logged % len(channels)]
        if channel == "stdlib":
            stdlib.log(level, text, extra={"order": logged, "channel": channel})
        else:
            via_structlog.log(level, text, order=logged, channel=channel)
        logged += 1


for command in sys.stdin:
    verb, _, count = command.strip().partition(" ")
    if verb == "log":
        log(int(count), ["stdlib", "structlog"], "")
        say({"event": "logged", "logged": logged})
    elif verb == "switch":
        log(int(count), ["stdlib", "structlog"], "after-switch ")
        say({"event": "logged", "logged": logged})
    elif verb == "stop":
        handle.shutdown()
        say({"event": "stopped", "logged": logged, "failures": handle.handler.failures, "reported": handle.reporter.sent, "unreported": handle.reporter.dropped})
        break
