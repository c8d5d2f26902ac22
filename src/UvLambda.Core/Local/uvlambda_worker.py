"""UvLambda's local Lambda worker: imports the handler once (like a warm Lambda), then answers one JSON line per
invocation on its own copy of stdout. The handler's prints go to stderr, as Lambda sends them to the logs."""
import importlib
import json
import logging
import os
import signal
import sys
import time
import traceback


class LambdaContext:
    """The attributes Lambda's Python runtime gives the handler's context."""

    def __init__(self, request):
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = request.get("invoked_function_arn")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.aws_request_id = request.get("request_id")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = request.get("deadline_ms", 0)

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def log(self, message):
        sys.stderr.write(str(message))
        sys.stderr.flush()


_request_id = [""]


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id[0]
        return True


def _install_log_handler():
    # Lambda's runtime puts this handler on the root logger before importing the handler, so `logger.setLevel(INFO)`
    # shows INFO lines (plain Python would drop them) and a later logging.basicConfig() is a no-op, as on Lambda.
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                                  "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    logging.getLogger().addHandler(handler)


def _error(exc, error_type=None, message=None, own_frames=0):
    tb = exc.__traceback__
    # Lambda's stackTrace starts at the handler: drop this worker's frame that called it.
    for _ in range(own_frames):
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    return {
        "errorMessage": message if message is not None else str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_list(traceback.extract_tb(tb)) if tb else [],
        "trace": "".join(traceback.format_exception(type(exc), exc, tb)),
    }


def main():
    # Ctrl+C in a terminal signals the whole process group. The server ends this worker by closing its stdin; a
    # SIGINT here would only print a KeyboardInterrupt traceback first (and kill a handler mid-invocation).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    inp = os.fdopen(os.dup(0), "r", encoding="utf-8")
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)

    def send(message):
        out.write(json.dumps(message) + "\n")
        out.flush()

    _install_log_handler()
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except BaseException as e:  # noqa: B902 - any import failure is Lambda's Runtime.ImportModuleError
        send({"init_error": _error(e, "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))})
        return
    handler = getattr(module, function_name, None)
    if not callable(handler):
        send({"init_error": {"errorMessage": "Handler '%s' missing on module '%s'" % (function_name, module_name),
                             "errorType": "Runtime.HandlerNotFound", "stackTrace": [], "trace": ""}})
        return
    send({"ready": True})

    for line in inp:
        request = json.loads(line)
        _request_id[0] = request.get("request_id", "")
        try:
            result = handler(request["event"], LambdaContext(request))
        except Exception as e:
            send({"id": request["id"], "error": _error(e, own_frames=1)})
            continue
        try:
            payload = json.dumps(result)
        except Exception as e:
            send({"id": request["id"], "error": _error(e, "Runtime.MarshalError", "Unable to marshal response: %s" % e)})
            continue
        send({"id": request["id"], "result": payload})


if __name__ == "__main__":
    main()
