"""Downloads built in a short-lived child process, so the server's memory comes back.

python-docx, lxml and openpyxl take tens of MiB once imported, and a Python process rarely hands
freed memory back to the system: one .docx download used to leave a server process 60 MiB
larger for good. A view marked `@built_in_child` is run, in production, by a child process
made for that one request: the child (forked from multiprocessing's fork server, which has the
app's modules loaded but none of the builders) makes the app with the same configuration,
serves the same request (path, query, cookies) through Flask's test client, sends the response
back through a pipe and exits, taking the builders' memory with it. Access checks run in both
processes, so nothing is served that the view would refuse.

EXPORTS_IN_CHILD = False (the tests' in-process app) runs the view in the request's process.
As with any use of multiprocessing, a script that serves the app itself (`python myserver.py`)
needs the `if __name__ == "__main__":` guard; waitress-serve, `python -m waitress` and the
bench scripts have it.
"""
from __future__ import annotations

import functools
import multiprocessing
import threading

from flask import Response, current_app, request

#: imported once by the fork server, so a child starts with them (none of the heavy builders):
#: the modules create_app imports
PRELOAD = ["app", "planner.models", "planner.cli", "planner.web.extensions", "planner.web.filters",
           "planner.web.errors", "planner.web.once", "planner.web.materials"] + [
    f"planner.web.{name}" for name in ("apply", "auth", "exports", "groups", "mail", "meetings", "participant_files",
                                       "participants", "plans", "settings", "supplements", "team", "timeline",
                                       "trainings", "versions")]
#: request headers a view may read; the rest (proxies' headers, the body) stays with the parent
#: (User-Agent and the address matter: Flask-Login's strong session protection compares them)
FORWARDED = ("Cookie", "Accept", "Accept-Language", "If-None-Match", "If-Modified-Since", "User-Agent",
             "X-Forwarded-For")
_context_lock = threading.Lock()
_context = None


def _forkserver():
    """multiprocessing's fork-server context, started on first use with PRELOAD loaded."""
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
    return _context


def _config() -> dict:
    """The app's configuration as the child needs it (values that pickle), builds in-process."""
    import pickle
    config = {}
    for key, value in current_app.config.items():
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001 - a value that cannot cross stays behind
            continue
        config[key] = value
    config["EXPORTS_IN_CHILD"] = False
    return config


def _serve_one(connection, config: dict, path: str, query: str, base_url: str, headers: list,
               remote_addr: str | None) -> None:
    """In the child: the app, one request through its test client, the response to the parent."""
    try:
        from app import create_app
        app = create_app(config)
        # use_cookies=False: the test client would otherwise drop the Cookie header for its own jar
        client = app.test_client(use_cookies=False)
        response = client.get(path, query_string=query, base_url=base_url, headers=headers,
                              environ_base={"REMOTE_ADDR": remote_addr or "127.0.0.1"})
        connection.send((response.status_code, list(response.headers.items()), response.get_data()))
    except BaseException as exc:  # noqa: BLE001 - the parent answers 500 and logs it
        connection.send(exc.__class__.__name__ + ": " + str(exc))
    finally:
        connection.close()


def _in_child() -> Response:
    """Serve the current GET request in a child process made for it."""
    context = _forkserver()
    receive, send = context.Pipe(duplex=False)
    headers = [(name, request.headers[name]) for name in FORWARDED if name in request.headers]
    child = context.Process(target=_serve_one, daemon=True,
                            args=(send, _config(), request.path, request.query_string.decode("utf-8", "replace"),
                                  request.host_url, headers,
                                  request.remote_addr))
    child.start()
    send.close()
    try:
        answer = receive.recv()
    except EOFError:
        answer = f"the child exited with {child.exitcode} before answering"
    finally:
        receive.close()
        child.join()
    if isinstance(answer, str):
        raise RuntimeError(f"download {request.path} failed in its child process: {answer}")
    status, response_headers, body = answer
    return Response(body, status=status, headers=response_headers)


def built_in_child(view):
    """Run `view` (a GET download) in a child process of its own when EXPORTS_IN_CHILD is on."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_app.config.get("EXPORTS_IN_CHILD", True) and request.method == "GET":
            return _in_child()
        return view(*args, **kwargs)
    return wrapper
