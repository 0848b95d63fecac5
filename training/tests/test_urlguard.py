"""The image URL guard: hostile URLs are refused before any connection; allowed ones are
fetched from the checked address only."""

import http.server
import socket
import ssl
import subprocess
import threading

import pytest

import urlguard
from conftest import image_bytes

HOSTILE_URLS = [
    "http://example.com/dog.jpg",  # not https
    "ftp://example.com/dog.jpg",
    "file:///etc/passwd",
    "gopher://example.com/",
    "https://user:secret@example.com/dog.jpg",  # credentials
    "https://example.com:8443/dog.jpg",  # other port
    "https://example.com:0/dog.jpg",
    "https:///dog.jpg",  # no host
    "https://localhost/dog.jpg",
    "https://api.localhost/dog.jpg",
    "https://127.0.0.1/dog.jpg",
    "https://127.1/dog.jpg",
    "https://2130706433/dog.jpg",  # 127.0.0.1 as one number
    "https://0x7f000001/dog.jpg",
    "https://0x7f.1/dog.jpg",
    "https://0177.0.0.1/dog.jpg",  # octal
    "https://017700000001/dog.jpg",
    "https://0/dog.jpg",
    "https://0.0.0.0/dog.jpg",
    "https://10.0.0.8/dog.jpg",
    "https://172.16.5.4/dog.jpg",
    "https://192.168.1.1/dog.jpg",
    "https://100.64.0.1/dog.jpg",  # carrier-grade NAT
    "https://169.254.169.254/latest/meta-data/",  # instance metadata
    "https://0xa9fea9fe/latest/meta-data/",  # the same, as hex
    "https://224.0.0.1/dog.jpg",  # multicast
    "https://255.255.255.255/dog.jpg",
    "https://198.18.0.1/dog.jpg",
    "https://[::1]/dog.jpg",
    "https://[::]/dog.jpg",
    "https://[::ffff:127.0.0.1]/dog.jpg",  # IPv4-mapped
    "https://[::ffff:169.254.169.254]/dog.jpg",
    "https://[::ffff:8.8.8.8]/dog.jpg",  # mapped forms are refused even for public IPv4
    "https://[64:ff9b::a9fe:a9fe]/dog.jpg",  # NAT64 of the metadata address
    "https://[2002:7f00:1::]/dog.jpg",  # 6to4 of 127.0.0.1
    "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/dog.jpg",  # Teredo
    "https://[fd00:ec2::254]/latest/meta-data/",  # IPv6 metadata, unique-local
    "https://[fc00::1]/dog.jpg",
    "https://[fe80::1]/dog.jpg",  # link-local
    "https://[fe80::1%25eth0]/dog.jpg",
    "https://[ff02::1]/dog.jpg",  # multicast
    "https://256.1.1.1/dog.jpg",  # numeric but no address
    "https://1.2.3.4.5/dog.jpg",
    "https://example.0x7f/dog.jpg",  # ends in a number
    "https://exa mple.com/dog.jpg",  # whitespace
    "https://internal.example/dog.jpg",  # resolves (below) to a private address
    "https://mixed.example/dog.jpg",  # one public and one private answer
    "https://rebind.example/dog.jpg",  # mapped IPv6 answer
    "https://nowhere.example/dog.jpg",  # no answer at all
    "",
]

FAKE_DNS = {
    "internal.example": ["10.1.2.3"],
    "mixed.example": ["93.184.216.34", "192.168.0.10"],
    "rebind.example": ["::ffff:127.0.0.1"],
    "nowhere.example": [],
}


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test on any connection or real DNS lookup."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network used: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def fake_resolver(host, port):
    return FAKE_DNS[host]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_urls_are_refused_without_connecting(url, no_network):
    with pytest.raises(urlguard.UrlRefusedError):
        urlguard.fetch_image(url, resolver=fake_resolver)


@pytest.mark.parametrize(
    "host,expected",
    [("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"),
     ("127.1", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("10.1", "10.0.0.1"),
     ("192.168.257", "192.168.1.1"), ("8.8.8.8", "8.8.8.8"), ("0", "0.0.0.0")],
)
def test_numeric_host_spellings_are_read_like_inet_aton(host, expected):
    assert str(urlguard.parse_legacy_ipv4(host)) == expected


def test_host_names_are_not_numeric():
    assert urlguard.parse_legacy_ipv4("images.example.com") is None


@pytest.mark.parametrize(
    "address,public",
    [("8.8.8.8", True), ("93.184.216.34", True), ("2606:4700:4700::1111", True),
     ("127.0.0.1", False), ("10.0.0.1", False), ("169.254.169.254", False),
     ("100.127.255.255", False), ("fd00:ec2::254", False), ("::ffff:8.8.8.8", False),
     ("224.0.0.251", False), ("0.0.0.0", False), ("::", False), ("fe80::1", False)],
)
def test_public_address_check(address, public):
    assert urlguard.is_public_address(address) is public


def test_a_public_url_is_checked_once_and_pinned(no_network):
    calls = []

    def resolver(host, port):
        calls.append((host, port))
        return ["93.184.216.34"]

    target = urlguard.check_url("https://images.example/dogs/rex.jpg?size=large", resolver)
    assert calls == [("images.example", 443)]
    assert target == urlguard.Target(
        "images.example", 443, "93.184.216.34", "/dogs/rex.jpg?size=large"
    )


# --- a local HTTPS server, reached only because the test injects its resolver and allow-list


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=images.test", "-addext", "subjectAltName=DNS:images.test",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )
    return folder / "cert.pem", folder / "key.pem"


JPEG = image_bytes((120, 80, 40), "JPEG")
ROUTES = {
    "/dog.jpg": (200, {"Content-Type": "image/jpeg"}, JPEG),
    "/page.html": (200, {"Content-Type": "text/html"}, b"<html>not an image</html>"),
    "/huge.jpg": (200, {}, JPEG + b"\0" * 4096),
    "/missing.jpg": (404, {}, b""),
    "/hop": (302, {"Location": "/dog.jpg"}, b""),
    "/to-metadata": (302, {"Location": "https://169.254.169.254/latest/meta-data/"}, b""),
    "/loop": (302, {"Location": "/loop"}, b""),
}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status, headers, body = ROUTES.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def local_server(tls_files):
    cert, key = tls_files
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def fetch_local(local_server, tls_files, monkeypatch):
    """fetch_image with test-only injections: images.test -> 127.0.0.1, loopback allowed, the
    test certificate trusted, and port 443 mapped to the server's real port."""
    port = local_server
    real_create_connection = socket.create_connection
    connected = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        assert address == ("127.0.0.1", 443)
        return real_create_connection(("127.0.0.1", port), *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    context = ssl.create_default_context(cafile=str(tls_files[0]))
    lookups = []

    def resolver(host, _port):
        lookups.append(host)
        return {"images.test": ["127.0.0.1"]}.get(host, [])

    def fetch(url, **kwargs):
        return urlguard.fetch_image(
            url, resolver=resolver, is_allowed=lambda address: address == "127.0.0.1",
            ssl_context=context, **kwargs,
        )

    fetch.lookups, fetch.connected = lookups, connected
    return fetch


def test_local_fetch_returns_the_image_from_the_checked_address(fetch_local):
    assert fetch_local("https://images.test/dog.jpg") == JPEG
    assert fetch_local.lookups == ["images.test"]
    assert fetch_local.connected == [("127.0.0.1", 443)]


def test_redirects_are_followed_and_checked_again(fetch_local):
    assert fetch_local("https://images.test/hop") == JPEG
    assert fetch_local.lookups == ["images.test", "images.test"]
    with pytest.raises(urlguard.UrlRefusedError):
        fetch_local("https://images.test/to-metadata")
    with pytest.raises(urlguard.FetchFailedError, match="redirects"):
        fetch_local("https://images.test/loop")


@pytest.mark.parametrize(
    "path,message",
    [("/page.html", "JPEG or PNG"), ("/missing.jpg", "HTTP 404"), ("/huge.jpg", "larger")],
)
def test_bad_answers_are_refused(fetch_local, path, message):
    with pytest.raises(urlguard.FetchFailedError, match=message):
        fetch_local(f"https://images.test{path}", max_bytes=len(JPEG) + 100)


def test_an_untrusted_certificate_is_refused(fetch_local):
    with pytest.raises(urlguard.FetchFailedError, match="could not fetch"):
        urlguard.fetch_image(
            "https://images.test/dog.jpg", resolver=lambda host, port: ["127.0.0.1"],
            is_allowed=lambda address: True,  # the default CA store does not know the test CA
        )


def test_the_certificate_must_name_the_requested_host(fetch_local, tls_files):
    with pytest.raises(urlguard.FetchFailedError, match="could not fetch"):
        urlguard.fetch_image(
            "https://other.test/dog.jpg", resolver=lambda host, port: ["127.0.0.1"],
            is_allowed=lambda address: True,
            ssl_context=ssl.create_default_context(cafile=str(tls_files[0])),
        )
