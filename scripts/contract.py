"""The API contract test's driver (run by scripts/contract with the venv's Python).

Starts target/debug/confab on a free loopback port with a fresh data directory, gives
Schemathesis what it needs to get past sign-in (an API token of the provider
administrator, a join token of a guest in a meeting, that meeting's id and link), runs it
with scripts/schemathesis.toml (extra arguments are passed on), and stops the server. Exits with Schemathesis' status: non-zero
on any 5xx, any response the OpenAPI document does not describe (status, content type,
body, headers), or any input the document forbids that the server accepts.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "debug", "confab")
ADMIN = "admin@confab.local"
START_TIMEOUT_S = 60


def request(base, method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method)
    if body is not None:
        req.data = json.dumps(body).encode()
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def serve(data, log):
    """Starts the server; returns the process and its base URL once it serves."""
    proc = subprocess.Popen(
        [BIN, "serve", "--listen", "127.0.0.1:0", "--data", data],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn"), "NO_COLOR": "1"},
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"confab exited early ({proc.returncode}); see {log.name}")
        with open(log.name) as f:
            m = re.search(r"Confab is serving at (http://\S+)", f.read())
        if m:
            return proc, m.group(1).rstrip("/")
        time.sleep(0.1)
    proc.kill()
    sys.exit(f"confab did not report its URL within {START_TIMEOUT_S} s; see {log.name}")


def main():
    data = tempfile.mkdtemp(prefix="confab-contract-")
    # The admin CLI creates the organisation and its administrator on a fresh data
    # directory, then the token; its last line is the secret.
    out = subprocess.run(
        [BIN, "admin", "--data", data, "token", "create", "--email", ADMIN, "--name", "contract"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    api_token = out.strip().splitlines()[-1]
    log = open(os.path.join(data, "server.log"), "w")
    proc, base = serve(data, log)
    status = 1
    try:
        meeting = request(base, "POST", "/api/v1/meetings/now", {"title": "Contract"}, api_token)
        key = meeting["attendee_link"].rsplit("/", 1)[-1]
        join = request(base, "POST", f"/api/v1/links/{key}/join", {"display_name": "Fuzzer"})
        env = {
            **os.environ,
            "CONFAB_API_TOKEN": api_token,
            "CONFAB_JOIN_TOKEN": join["token"],
            "CONFAB_MEETING": meeting["id"],
            "CONFAB_LINK_KEY": key,
        }
        schemathesis = os.path.join(os.path.dirname(sys.executable), "schemathesis")
        cmd = [
            schemathesis,
            "--config-file",
            os.path.join(ROOT, "scripts", "schemathesis.toml"),
            "run",
            f"{base}/api/openapi.json",
            *sys.argv[1:],
            "--url",
            base,
        ]
        started = time.monotonic()
        status = subprocess.run(cmd, env=env).returncode
        print(f"contract test: {time.monotonic() - started:.0f} s")
        if proc.poll() is not None:
            print(f"confab died during the run ({proc.returncode})", file=sys.stderr)
            status = status or 1
        return status
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        # The data directory (with the server's log) is kept when something failed.
        if status == 0:
            shutil.rmtree(data, ignore_errors=True)
        else:
            print(f"server data and log: {data}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
