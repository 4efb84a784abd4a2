"""Real HTTP sessions against the live server: log in through the form, read CSRF tokens."""
from __future__ import annotations

import re

import requests

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no csrf_token on the page"
    return match.group(1)


def logged_in_session(base: str, email: str, password: str) -> tuple[requests.Session, str]:
    """A requests session logged in as `email`, and a CSRF token valid for it."""
    session = requests.Session()
    token = csrf_token(session.get(f"{base}/login").text)
    response = session.post(f"{base}/login", data={"email": email, "password": password, "csrf_token": token},
                            allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    return session, csrf_token(session.get(f"{base}/my/roles").text)


ONCE = re.compile(r'name="once" value="([^"]+)"')


def once_token(html: str) -> str:
    """The one-time token of the (first) create form on a page."""
    match = ONCE.search(html)
    assert match, "no one-time token on the page"
    return match.group(1)


def same_browser(session: requests.Session) -> requests.Session:
    """A second session with the same cookies: the other half of a double click."""
    twin = requests.Session()
    twin.cookies.update(session.cookies)
    return twin


def at_once(*calls):
    """Run the calls in threads released together; returns their results in order."""
    import threading

    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
