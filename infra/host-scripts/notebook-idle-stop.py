"""Stop this notebook instance once Jupyter has been idle for --idle-minutes.

cron runs it every minute (see notebook-on-start.sh). Idle means: no kernel is busy, and the
latest activity Jupyter reports (its server-wide last_activity and each kernel's) is at least
--idle-minutes old. Standard library only, Python 3.6 or later (the notebook's /usr/bin/python3).
"""

import argparse
import json
import re
import ssl
import subprocess
import sys
import urllib.request
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

ISO = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6})\d*)?(Z|[+-]\d\d:?\d\d)?$"
)


def parse_time(text):
    """Jupyter's ISO 8601 timestamps (``2026-12-01T12:00:00.123456Z``), as aware datetimes."""
    m = ISO.match(text.strip())
    if not m:
        raise ValueError("not an ISO 8601 time: %r" % text)
    year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
    micro = int((m.group(7) or "0").ljust(6, "0"))
    zone = m.group(8) or "Z"
    offset = timedelta(0)
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=timezone(offset))


class Jupyter:
    """The local Jupyter server's REST API (HTTPS with a self-signed certificate on SageMaker)."""

    def __init__(self, base_url):
        self.base_url = base_url.rstrip("/")
        self.context = ssl.create_default_context()
        # The server's certificate is self-signed and the connection never leaves the host.
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def get(self, path):
        """The decoded JSON answer and the server's clock (its Date header)."""
        # no_track_activity: the check itself must not count as activity, or the server would
        # never look idle (jupyter_server's APIHandler.update_api_activity).
        url = "%s%s?no_track_activity=1" % (self.base_url, path)
        with urllib.request.urlopen(url, context=self.context, timeout=10) as answer:
            body = json.loads(answer.read().decode("utf-8"))
            date = answer.headers.get("Date")
        now = parsedate_to_datetime(date) if date else datetime.now(timezone.utc)
        return body, now


def idle_seconds(status, sessions, now):
    """Seconds since the latest activity, or None while a kernel is busy."""
    kernels = [s.get("kernel") or {} for s in sessions]
    if any(k.get("execution_state") == "busy" for k in kernels):
        return None
    stamps = [parse_time(status["last_activity"])]
    stamps += [parse_time(k["last_activity"]) for k in kernels if k.get("last_activity")]
    return (now - max(stamps)).total_seconds()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle-minutes", type=int, required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--notebook-name", required=True)
    parser.add_argument("--aws", required=True, help="absolute path of the AWS CLI")
    parser.add_argument("--jupyter", default="https://localhost:8443")
    args = parser.parse_args(argv)

    jupyter = Jupyter(args.jupyter)
    try:
        # The Date header of the status answer is "now": the clock Jupyter stamps activity with.
        status, now = jupyter.get("/api/status")
        sessions, _ = jupyter.get("/api/sessions")
    except (OSError, ValueError) as error:
        # urllib's URLError is an OSError. Without an answer nothing is known: no stop.
        print("cannot read Jupyter's activity at %s: %s; not stopping" % (args.jupyter, error))
        return 1
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    idle = idle_seconds(status, sessions, now)
    limit = args.idle_minutes * 60
    if idle is None:
        print("%s a kernel is busy: not idle" % stamp, flush=True)
        return 0
    if idle < limit:
        print("%s idle %ds of %ds" % (stamp, idle, limit), flush=True)
        return 0
    print("%s idle %ds of %ds: stopping %s" % (stamp, idle, limit, args.notebook_name), flush=True)
    command = [
        args.aws,
        "sagemaker",
        "stop-notebook-instance",
        "--region",
        args.region,
        "--notebook-instance-name",
        args.notebook_name,
        "--cli-connect-timeout",
        "10",
    ]
    return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main())
