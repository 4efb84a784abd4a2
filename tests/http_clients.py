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
