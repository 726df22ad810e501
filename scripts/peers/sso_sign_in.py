#!/usr/bin/env python3
"""Approves a device sign-in on monban's sandbox the way a person does in a browser: opens
`verification_uri_complete`, fills the page's one form (`user_name`, `password`; every other
field, such as the user code, as the page filled it) and posts it.

Usage: sso_sign_in.py <verification-uri-complete> <user-name> [<password>]
(the sandbox's password is `monban-sandbox` unless the server was started with another).
Exit status: 0 approved (HTTP 200), 3 refused (HTTP 403: unknown, disabled or deleted user,
wrong password), 1 anything else. Used by scripts/peers/sso_clients.sh and
scripts/bench/credentials.sh; standard library only.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser


class FormParser(HTMLParser):
    """The first <form>: its method, action and <input> fields (name -> value)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "post"
        self.fields: dict[str, str] = {}
        self.in_form = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.done and self.action is None:
            self.in_form = True
            self.action = attributes.get("action", "")
            self.method = attributes.get("method", "post").lower()
        elif tag in ("input", "button") and self.in_form and attributes.get("name"):
            kind = attributes.get("type", "text").lower()
            # A submit button only counts when it carries a value (e.g. approve/deny);
            # the first such button is the one a person presses.
            if kind == "submit" or tag == "button":
                if attributes.get("value") and attributes["name"] not in self.fields:
                    self.fields[attributes["name"]] = attributes["value"]
                return
            self.fields[attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.in_form:
            self.in_form = False
            self.done = True


def sign_in(url: str, user_name: str, password: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        page = response.read().decode("utf-8", "replace")
    form = FormParser()
    form.feed(page)
    if form.action is None:
        print(f"sso_sign_in: no form on {url}", file=sys.stderr)
        return 1
    fields = dict(form.fields)
    fields["user_name"] = user_name
    fields["password"] = password
    target = urllib.parse.urljoin(url, form.action or url)
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(
        target,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status == 200:
        return 0
    print(f"sso_sign_in: sign-in of {user_name} answered HTTP {status}", file=sys.stderr)
    return 3 if status == 403 else 1


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(1)
    sys.exit(sign_in(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else "monban-sandbox"))
