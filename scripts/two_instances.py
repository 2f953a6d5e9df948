#!/usr/bin/env python3
"""What two Orgdesk processes on one database, behind nginx, must share.

Run by scripts/two-instances.sh, which starts the processes, nginx and
maildev and passes their addresses in the environment. Standard library
only. Each check prints one line; the first failure stops with status 1.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PROXY = os.environ["PROXY"]
A = os.environ["INSTANCE_A"]
B = os.environ["INSTANCE_B"]
MAILDEV = os.environ["MAILDEV"]
SETUP_TOKEN = os.environ["SETUP_TOKEN"]
LOCK_AFTER = int(os.environ["LOCK_AFTER"])
MESSAGES = int(os.environ.get("MESSAGES", "200"))
COOKIE = "orgdesk_session"
PASSWORD = "amber-orchard-compass-31"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def call(base, name, form=(), session=None):
    """POSTs a server function; returns (status, json or text, session)."""
    data = urllib.parse.urlencode(list(form)).encode()
    req = urllib.request.Request(f"{base}/api/{name}", data=data, method="POST")
    req.add_header("content-type", "application/x-www-form-urlencoded")
    if session:
        req.add_header("cookie", f"{COOKIE}={session}")
    try:
        res = OPENER.open(req, timeout=30)
        status, body, headers = res.status, res.read(), res.headers
    except urllib.error.HTTPError as e:
        status, body, headers = e.code, e.read(), e.headers
    for cookie in headers.get_all("set-cookie") or []:
        m = re.match(rf"{COOKIE}=([^;]*)", cookie)
        if m:
            session = m.group(1) or None
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = body.decode(errors="replace")
    return status, parsed, session


def totp(secret, step):
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def check(ok, what, detail=""):
    if not ok:
        print(f"FAIL  {what}" + (f": {detail}" if detail else ""))
        sys.exit(1)
    print(f"ok    {what}")


def main():
    # The setup link printed by the first process works on the second, which
    # started after it (and did not destroy it).
    status, valid, _ = call(B, "setup_status", [("token", SETUP_TOKEN)])
    check(status == 200 and valid is True, "the setup link printed by A is valid on B", f"{status} {valid}")
    status, step, session = call(PROXY, "setup_operator", [
        ("token", SETUP_TOKEN), ("name", "Ops"), ("email", "ops@example.com"),
        ("password", PASSWORD)])
    check(status == 200 and session, "the first operator is created through the proxy", f"{status} {step}")

    # A session made on one process is valid on the other.
    status, me_a, _ = call(A, "me", session=session)
    status_b, me_b, _ = call(B, "me", session=session)
    check(status == 200 and status_b == 200 and me_a == me_b,
          "a session made through the proxy is the same session on A and on B", f"{me_a} {me_b}")

    # Enrolled on B, confirmed on A.
    status, enrolment, _ = call(B, "start_enrolment", [("password", ""), ("code", "")], session)
    check(status == 200, "enrolment starts on B", f"{status} {enrolment}")
    secret = enrolment["secret"]
    now = int(time.time()) // 30
    status, done, session = call(A, "confirm_enrolment", [("code", totp(secret, now))], session)
    check(status == 200, "enrolment is confirmed on A", f"{status} {done}")

    # A code accepted on one process is refused on the other.
    code = totp(secret, now + 1)
    status, answer, first = call(A, "sign_in", [("kind", "operator"), ("identifier", "ops@example.com"), ("password", PASSWORD)])
    check(status == 200 and answer.get("stage") == "second_factor", "A asks for the second factor", f"{status} {answer}")
    status, answer, _ = call(A, "verify_second_factor", [("code", code)], first)
    check(status == 200, "A accepts a fresh code", f"{status} {answer}")
    status, answer, second = call(B, "sign_in", [("kind", "operator"), ("identifier", "ops@example.com"), ("password", PASSWORD)])
    check(status == 200 and answer.get("stage") == "second_factor", "B asks for the second factor", f"{status} {answer}")
    status, answer, _ = call(B, "verify_second_factor", [("code", code)], second)
    check(status != 200, "B refuses the code A accepted", f"{status} {answer}")

    # Sign-in throttling counts across both processes.
    answers = []
    for i in range(LOCK_AFTER + 1):
        base = A if i % 2 == 0 else B
        status, answer, _ = call(base, "sign_in", [("kind", "operator"), ("identifier", "nobody@example.com"), ("password", f"wrong-password-{i}")])
        answers.append((status, answer.get("kind") if isinstance(answer, dict) else answer))
    # Alone, neither process saw more than half of the failures.
    check(all(a == (401, "invalid_credentials") for a in answers[:LOCK_AFTER - 1])
          and all(a == (429, "locked") for a in answers[LOCK_AFTER - 1:]),
          f"failures alternating between A and B lock the identifier at the {LOCK_AFTER}th, on both",
          str(answers))

    # Messages queued through the proxy (so by both processes) are each
    # delivered once, with both processes' workers running.
    for i in range(MESSAGES):
        base = PROXY
        status, answer, draft = call(base, "registration_start")
        if status != 200:
            check(False, f"registration {i} starts", f"{status} {answer}")
        status, answer, _ = call(base, "registration_send_code", [("channel", "email"), ("value", f"member{i}@example.com")], draft)
        if status != 200:
            check(False, f"code {i} is queued", f"{status} {answer}")
    print(f"ok    {MESSAGES} codes queued through the proxy")
    deadline = time.time() + 60
    received = []
    while time.time() < deadline:
        with urllib.request.urlopen(f"{MAILDEV}/api/email", timeout=10) as res:
            received = json.load(res)
        if len(received) >= MESSAGES:
            time.sleep(2)  # any duplicate would arrive by now
            with urllib.request.urlopen(f"{MAILDEV}/api/email", timeout=10) as res:
                received = json.load(res)
            break
        time.sleep(0.5)
    recipients = [to["address"] for mail in received for to in mail["to"]]
    unique = set(recipients)
    check(len(recipients) == MESSAGES and len(unique) == MESSAGES,
          f"{MESSAGES} messages, each delivered exactly once",
          f"{len(recipients)} deliveries to {len(unique)} addresses")
    print("all checks passed")


if __name__ == "__main__":
    main()
