"""Fetch an image by URL without letting the URL reach anything but the public internet.

Rules: ``https`` only, default port only, no credentials in the URL; the host name is resolved
once and every address must be public (no loopback, private, link-local or instance metadata,
carrier-grade NAT, unique-local, IPv4-mapped or translated, multicast, reserved or unspecified
addresses, in any numeric spelling); the connection goes to the address that was checked, so
a second DNS answer cannot redirect it; redirects are checked the same way; the body is capped
in size and time and must be a JPEG or PNG.
"""

import http.client
import ipaddress
import re
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional
from urllib.parse import urljoin, urlsplit

# SageMaker real-time endpoints accept request payloads up to 6 MB
# (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html);
# a fetched image gets the same cap.
MAX_IMAGE_BYTES = 6 * 1024 * 1024
DEFAULT_TIMEOUT_SECONDS = 5.0
MAX_REDIRECTS = 3
HTTPS_PORT = 443
REDIRECT_STATUSES = (301, 302, 303, 307, 308)

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# IANA special-purpose ranges, plus every IPv6 form that embeds or translates to IPv4 (mapped,
# NAT64, 6to4, Teredo): refusing those outright is simpler than unwrapping each one.
BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network", includes 0.0.0.0
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, includes the instance metadata service
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes broadcast
        "::/128",
        "::1/128",
        "::ffff:0:0/96",  # IPv4-mapped
        "::/96",  # IPv4-compatible (deprecated)
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",  # IETF protocol assignments, includes Teredo
        "2001:db8::/32",
        "2002::/16",  # 6to4
        "fc00::/7",  # unique-local, includes the IPv6 metadata address fd00:ec2::254
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",  # multicast
    )
)

_NUMERIC_PART = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")


class UrlRefusedError(ValueError):
    """The URL is not one this service may fetch."""


class FetchFailedError(ValueError):
    """The URL was allowed but fetching it did not produce an acceptable image."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    address: str
    path: str


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if any(ip in network for network in BLOCKED_NETWORKS if network.version == ip.version):
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def parse_legacy_ipv4(host: str) -> Optional[ipaddress.IPv4Address]:
    """Read the numeric host spellings that inet_aton accepts: 2130706433, 0x7f.1, 0177.0.0.1.

    Returns None for a host name. Raises UrlRefusedError for a number that is no address.
    """
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts = parts[:-1]  # a trailing dot is still the same host
    if not parts or not all(_NUMERIC_PART.match(part) for part in parts):
        if parts and _NUMERIC_PART.match(parts[-1]):
            # URL parsers treat a host ending in a number as IPv4; refuse the ambiguity.
            raise UrlRefusedError(f"host {host!r} ends in a number but is no IPv4 address")
        return None
    if len(parts) > 4:
        raise UrlRefusedError(f"host {host!r} is not a valid IPv4 address")
    try:
        values = [_numeric_value(part) for part in parts]
    except ValueError:
        raise UrlRefusedError(f"host {host!r} is not a valid IPv4 address") from None
    # Each leading part is one byte; the last part fills the remaining bytes.
    last_bits = 8 * (5 - len(values))
    if any(value > 255 for value in values[:-1]) or values[-1] >= 1 << last_bits:
        raise UrlRefusedError(f"host {host!r} is not a valid IPv4 address")
    number = 0
    for value in values[:-1]:
        number = number << 8 | value
    number = number << last_bits | values[-1]
    return ipaddress.IPv4Address(number)


def _numeric_value(part: str) -> int:
    if part.startswith("0x"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)
    return int(part, 10)


def resolve_host(host: str, port: int) -> List[str]:
    """Every address the system resolver returns for ``host``."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UrlRefusedError(f"cannot resolve host {host!r}: {error.strerror}") from None
    return sorted({info[4][0] for info in infos})


def check_url(
    url: str,
    resolver: Callable[[str, int], Iterable[str]] = resolve_host,
    is_allowed: Callable[[str], bool] = is_public_address,
) -> Target:
    """Validate ``url`` and pick the checked address to connect to. Raises UrlRefusedError."""
    if not isinstance(url, str) or not url:
        raise UrlRefusedError("url must be a non-empty string")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise UrlRefusedError("url must not contain whitespace or control characters")
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise UrlRefusedError(f"only https URLs are allowed, got scheme {parts.scheme!r}")
    if parts.username is not None or parts.password is not None:
        raise UrlRefusedError("URLs with credentials are not allowed")
    try:
        port = parts.port
    except ValueError:
        raise UrlRefusedError("url has an invalid port") from None
    if port is None:
        port = HTTPS_PORT  # not "or": an explicit port 0 must be refused, not defaulted
    if port != HTTPS_PORT:
        raise UrlRefusedError(f"only port {HTTPS_PORT} is allowed, got {port}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UrlRefusedError("url has no host")
    addresses = _literal_addresses(host)
    if addresses is None:
        if host == "localhost" or host.endswith(".localhost"):
            raise UrlRefusedError(f"host {host!r} is local")
        addresses = list(resolver(host, port))
        if not addresses:
            raise UrlRefusedError(f"host {host!r} has no address")
    refused = [address for address in addresses if not is_allowed(address)]
    if refused:
        raise UrlRefusedError(f"host {host!r} is or resolves to non-public address {refused[0]}")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(host=host, port=port, address=str(addresses[0]), path=path)


def _literal_addresses(host: str) -> Optional[List[str]]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    legacy = parse_legacy_ipv4(host)
    return None if legacy is None else [str(legacy)]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed, already checked address, with SNI and certificate checks for the host."""

    def __init__(self, target: Target, context: ssl.SSLContext, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._pinned_address = target.address
        self._pinned_context = context

    def connect(self):
        sock = socket.create_connection((self._pinned_address, self.port), self.timeout)
        self.sock = self._pinned_context.wrap_socket(sock, server_hostname=self.host)


def has_image_magic(data: bytes) -> bool:
    return data.startswith(JPEG_MAGIC) or data.startswith(PNG_MAGIC)


def fetch_image(
    url: str,
    *,
    resolver: Callable[[str, int], Iterable[str]] = resolve_host,
    is_allowed: Callable[[str], bool] = is_public_address,
    ssl_context: Optional[ssl.SSLContext] = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> bytes:
    """Download a JPEG or PNG from ``url`` behind the rules above.

    ``resolver`` and ``is_allowed`` are parameters so tests can point a name at a local server;
    production callers use the defaults.
    """
    context = ssl_context or ssl.create_default_context()
    deadline = time.monotonic() + timeout
    for _ in range(max_redirects + 1):
        target = check_url(url, resolver, is_allowed)
        status, location, body = _get(target, context, deadline, max_bytes)
        if status in REDIRECT_STATUSES and location:
            url = urljoin(url, location)
            continue
        if status != 200:
            raise FetchFailedError(f"image URL answered HTTP {status}")
        if not has_image_magic(body):
            raise FetchFailedError("the URL did not return a JPEG or PNG image")
        return body
    raise FetchFailedError(f"more than {max_redirects} redirects")


def _get(target: Target, context, deadline: float, max_bytes: int):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailedError("timed out fetching the image")
    connection = _PinnedHTTPSConnection(target, context, timeout=remaining)
    try:
        connection.request(
            "GET",
            target.path,
            headers={"Accept": "image/jpeg, image/png", "User-Agent": "dogbreed-inference"},
        )
        response = connection.getresponse()
        if response.status != 200:
            return response.status, response.getheader("Location"), b""
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchFailedError(f"image is larger than {max_bytes} bytes")
        return 200, None, _read_capped(response, deadline, max_bytes)
    except (OSError, http.client.HTTPException) as error:
        if isinstance(error, socket.timeout):
            raise FetchFailedError("timed out fetching the image") from None
        raise FetchFailedError(f"could not fetch the image: {error}") from None
    finally:
        connection.close()


def _read_capped(response, deadline: float, max_bytes: int) -> bytes:
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise FetchFailedError("timed out fetching the image")
        chunk = response.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchFailedError(f"image is larger than {max_bytes} bytes")
        chunks.append(chunk)
