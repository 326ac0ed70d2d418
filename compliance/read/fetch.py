"""Fetch one article over HTTP(S) with the standard library, safely.

* Only ``http`` and ``https``; every redirect hop is checked again.
* ``allow_private=False`` (``--no-private-addresses``) refuses hosts that resolve to
  loopback, private, link-local, multicast, reserved, unspecified or otherwise
  non-global addresses, on every hop, and connects to the very address it checked
  (no second DNS lookup, so no DNS rebinding).
* The body is read in chunks and refused as soon as it passes ``max_bytes``; gzip and
  deflate are decoded under the same cap (no decompression bombs).
* ``timeout`` bounds DNS, connect and every read; ``total_timeout`` (default twice
  ``timeout``) bounds the whole fetch, redirects included, so a server that drips one
  byte at a time cannot hold the run.
* Every failure is an :class:`~compliance.document.InputError` with a one-line message.

Proxy environment variables are not honoured: the connection goes straight to the host.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import quote, urljoin, urlsplit

from .. import __version__
from ..document import Document, InputError
from . import MAX_BYTES, read_bytes

USER_AGENT = f"compliance/{__version__} (+terms checker)"
ALLOWED_SCHEMES = ("http", "https")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024
_ACCEPT = "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.8,*/*;q=0.5"
# Media types that are never an article; refused before decoding.
_NOT_ARTICLE_MAJOR = ("image", "audio", "video", "font", "model")
_NOT_ARTICLE = ("application/pdf", "application/zip", "application/gzip", "application/x-gzip")


@dataclass(frozen=True, slots=True)
class Fetched:
    """The result of :func:`fetch`: ``data`` is the decoded body (Content-Encoding undone)."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str | None  # media type without parameters, lower case; None if not sent
    charset: str | None  # the Content-Type charset parameter, lower case; None if not sent
    data: bytes


class _Timeout(Exception):
    """Internal: a timeout, turned into InputError by :func:`fetch`."""

    def __init__(self, total: bool = False) -> None:
        super().__init__()
        self.total = total


def _clean(text: str, limit: int = 200) -> str:
    """One line, printable, bounded: safe to put in an error message."""
    out = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _seconds(value: float) -> str:
    return f"{value:g}s"


# ---------------------------------------------------------------------------- URLs


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name or IP literal without brackets
    port: int
    request_target: str  # path and query, percent-encoded

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _parse(url: str) -> _Target:
    """Check the scheme and split the URL; raises InputError with no URL prefix."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise InputError(f"invalid URL: {_clean(exc)}") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise InputError("not an absolute URL: only http and https URLs are fetched")
    if scheme not in ALLOWED_SCHEMES:
        raise InputError(f"scheme {_clean(scheme)!r} is not allowed: only http and https")
    try:
        hostname = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise InputError(f"invalid URL: {_clean(exc)}") from None
    if not hostname:
        raise InputError("no host in the URL")
    hostname = hostname.rstrip(".") or hostname
    try:
        ipaddress.ip_address(hostname.split("%")[0])
        host = hostname
    except ValueError:
        try:
            host = hostname.encode("idna").decode("ascii")
        except UnicodeError:
            raise InputError(f"invalid host name {_clean(hostname)!r}") from None
    if port is None:
        port = 443 if scheme == "https" else 80
    if not 0 < port < 65536:
        raise InputError(f"invalid port {port}")
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/?%:@!$&'()*+,;=-._~")
    target = path + ("?" + query if query else "")
    return _Target(url.strip(), scheme, host, port, target)


# ----------------------------------------------------------------------- addresses


def _classify(address: str) -> str | None:
    """Why an address is refused with ``allow_private=False``; None when it is public."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return "unparseable"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "non-public"
    return None


def _resolve(host: str, port: int, wait: float) -> list[tuple]:
    """getaddrinfo bounded by ``wait`` seconds (it has no timeout of its own)."""
    try:
        ipaddress.ip_address(host.split("%")[0])
        literal = True
    except ValueError:
        literal = False
    if literal:
        try:
            return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise InputError(f"invalid address {host!r}: {_clean(exc)}") from None
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["result"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as exc:  # noqa: BLE001 - reported to the caller below
            box["error"] = exc

    worker = threading.Thread(target=run, name="compliance-dns", daemon=True)
    worker.start()
    worker.join(max(wait, 0.0))
    if worker.is_alive():
        raise _Timeout()
    if "error" in box:
        raise InputError(f"cannot resolve host {host!r}") from None
    result = box.get("result") or []
    if not result:
        raise InputError(f"cannot resolve host {host!r}")
    return result  # type: ignore[return-value]


def _check_addresses(host: str, infos: list[tuple]) -> None:
    for info in infos:
        address = info[4][0]
        why = _classify(address)
        if why:
            shown = host if host == address else f"{host} ({address})"
            raise InputError(
                f"host {shown} is a {why} address: refused (--no-private-addresses)"
            )


# ---------------------------------------------------------------------- connection


class _Deadline:
    """The total time limit: remaining time, plus a watchdog that shuts the socket."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    @property
    def passed(self) -> bool:
        return self.expired or time.monotonic() >= self.end

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            self.expired = True
            raise _Timeout(total=True)
        return left

    def step(self, timeout: float) -> float:
        """Timeout for one operation: ``timeout`` or what is left, whichever is less."""
        return min(timeout, self.remaining())

    def watch(self, sock: socket.socket) -> None:
        def fire() -> None:
            with self._lock:
                self.expired = True
                try:
                    # socket.socket.shutdown, not SSLSocket.shutdown: wake the blocked
                    # reader without touching the TLS state from this thread.
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass

        self.cancel()
        self._timer = threading.Timer(max(self.end - time.monotonic(), 0.0), fire)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _connect(target: _Target, infos: list[tuple], timeout: float, deadline: _Deadline,
             allow_private: bool) -> socket.socket:
    last: BaseException | None = None
    for family, socktype, proto, _name, sockaddr in infos:
        sock = socket.socket(family, socktype, proto)
        deadline.watch(sock)
        try:
            sock.settimeout(deadline.step(timeout))
            sock.connect(sockaddr)
        except BaseException as exc:
            sock.close()
            if isinstance(exc, (_Timeout, socket.timeout)):
                raise
            last = exc
            continue
        if not allow_private:
            # We connected by IP to the address we checked; make sure of it.
            try:
                peer = sock.getpeername()[0]
            except OSError as exc:
                sock.close()
                last = exc
                continue
            why = _classify(peer)
            if why or ipaddress.ip_address(peer.split("%")[0]) != ipaddress.ip_address(sockaddr[0].split("%")[0]):
                sock.close()
                raise InputError(
                    f"host {target.host} connected to {peer}, a {why or 'different'} address: "
                    "refused (--no-private-addresses)"
                )
        if target.scheme == "https":
            context = ssl.create_default_context()
            try:
                sock.settimeout(deadline.step(timeout))
                sock = context.wrap_socket(sock, server_hostname=target.host)
            except BaseException:
                sock.close()
                raise
            deadline.watch(sock)
        sock.settimeout(timeout)
        return sock
    if isinstance(last, ConnectionRefusedError):
        raise InputError(f"connection refused by {target.host_header}")
    reason = getattr(last, "strerror", None) or _clean(last or "no address")
    raise InputError(f"cannot connect to {target.host_header}: {reason}")


# ---------------------------------------------------------------------------- body


class _Decoder:
    """Undo gzip/deflate Content-Encoding in a stream, never producing more than ``cap``."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.encoding = encoding
        self.cap = cap
        self.total = 0
        self._obj: zlib._Decompress | None = None  # type: ignore[name-defined]
        self._pending = b""
        self._done = False

    def _new(self, head: bytes) -> zlib._Decompress:  # type: ignore[name-defined]
        if self.encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" should be zlib-wrapped; some servers send raw deflate.
        zlib_wrapped = len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        if self._done:
            return b""
        if self._obj is None:
            self._pending += data
            if len(self._pending) < 2:
                return b""
            data, self._pending = self._pending, b""
            self._obj = self._new(data)
        out = []
        while data:
            chunk = self._obj.decompress(data, self.cap - self.total + 1)
            self.total += len(chunk)
            if self.total > self.cap:
                raise _TooLarge(decoded=True)
            out.append(chunk)
            data = self._obj.unconsumed_tail
            if self._obj.eof:
                rest = self._obj.unused_data
                if self.encoding in ("gzip", "x-gzip") and rest[:2] == b"\x1f\x8b":
                    self._obj = self._new(rest)  # another gzip member
                    data = rest
                else:
                    self._done = True  # trailing garbage is ignored, as browsers do
                    break
        return b"".join(out)

    def flush(self) -> bytes:
        if self._obj is None:
            if self._pending:
                self._obj = self._new(self._pending)
                data, self._pending = self._pending, b""
                return self.feed(data) + self.flush()
            return b""
        if self._done:
            return b""
        tail = self._obj.flush(self.cap - self.total + 1)
        self.total += len(tail)
        if self.total > self.cap:
            raise _TooLarge(decoded=True)
        return tail


class _TooLarge(Exception):
    def __init__(self, declared: int | None = None, decoded: bool = False) -> None:
        super().__init__()
        self.declared = declared
        self.decoded = decoded


def _encodings(response: http.client.HTTPResponse) -> list[str]:
    value = response.getheader("Content-Encoding") or ""
    names = [v.strip().lower() for v in value.split(",") if v.strip()]
    return [n for n in names if n != "identity"]


def _read_body(response: http.client.HTTPResponse, max_bytes: int, deadline: _Deadline) -> bytes:
    length = response.getheader("Content-Length")
    if length is not None:
        try:
            declared = int(length.strip())
        except ValueError:
            declared = None
        if declared is not None and declared > max_bytes:
            raise _TooLarge(declared=declared)
    encodings = _encodings(response)
    for name in encodings:
        if name not in ("gzip", "x-gzip", "deflate"):
            raise InputError(f"unsupported Content-Encoding {_clean(name)!r}")
    # Applied in reverse order of the header; each decoder is capped.
    decoders = [_Decoder(name, max_bytes) for name in reversed(encodings)]
    raw_total = 0
    parts: list[bytes] = []
    while True:
        deadline.remaining()
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        raw_total += len(chunk)
        if raw_total > max_bytes:
            raise _TooLarge()
        for decoder in decoders:
            chunk = decoder.feed(chunk)
        parts.append(chunk)
    if deadline.expired:
        raise _Timeout(total=True)
    if response.length:  # Content-Length promised more than arrived
        raise InputError(f"connection closed after {raw_total} of {raw_total + response.length} bytes")
    # Flush each decoder, passing its tail through the decoders after it.
    for i, decoder in enumerate(decoders):
        tail = decoder.flush()
        for after in decoders[i + 1:]:
            tail = after.feed(tail)
        parts.append(tail)
    data = b"".join(parts)
    if len(data) > max_bytes:
        raise _TooLarge(decoded=True)
    return data


# --------------------------------------------------------------------------- fetch


def _content_type(response: http.client.HTTPResponse) -> tuple[str | None, str | None]:
    if response.getheader("Content-Type") is None:
        return None, None
    headers = response.headers
    media = headers.get_content_type().lower()
    charset = headers.get_content_charset()
    return media, (_clean(charset, 40).lower() if charset else None)


def _fetch(url: str, timeout: float, max_bytes: int, max_redirects: int, allow_private: bool,
           user_agent: str, deadline: _Deadline) -> Fetched:
    current = url.strip()
    hops = 0
    while True:
        try:
            target = _parse(current)
        except InputError as exc:
            if current == url.strip():
                raise
            raise InputError(f"redirected to {_clean(current)}: {exc}") from None
        infos = _resolve(target.host, target.port, deadline.step(timeout))
        if not allow_private:
            try:
                _check_addresses(target.host, infos)
            except InputError as exc:
                if current == url.strip():
                    raise
                raise InputError(f"redirected to {_clean(current)}: {exc}") from None
        sock = _connect(target, infos, timeout, deadline, allow_private)
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
        conn.sock = sock
        try:
            conn.putrequest("GET", target.request_target, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", target.host_header)
            conn.putheader("User-Agent", user_agent)
            conn.putheader("Accept", _ACCEPT)
            conn.putheader("Accept-Encoding", "gzip, deflate")
            conn.putheader("Connection", "close")
            conn.endheaders()
            response = conn.getresponse()
            status = response.status
            if status in REDIRECT_STATUSES:
                location = response.getheader("Location")
                if not location:
                    raise InputError(f"HTTP {status} redirect without a Location header")
                hops += 1
                if hops > max_redirects:
                    raise InputError(f"too many redirects (more than {max_redirects})")
                current = urljoin(target.url, location.strip())
                continue
            if not 200 <= status < 300:
                reason = (response.reason or "").strip()
                if not reason:
                    try:
                        reason = HTTPStatus(status).phrase
                    except ValueError:
                        reason = ""
                where = "" if current == url.strip() else f" (at {_clean(current)})"
                raise InputError(f"HTTP {status} {_clean(reason, 80)}".rstrip() + where)
            media, charset = _content_type(response)
            data = _read_body(response, max_bytes, deadline)
            return Fetched(url, current, status, media, charset, data)
        finally:
            deadline.cancel()
            conn.close()
            try:
                sock.close()
            except OSError:
                pass


def fetch(
    url: str,
    *,
    timeout: float = 15.0,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = 5,
    allow_private: bool = True,
    user_agent: str = USER_AGENT,
    total_timeout: float | None = None,
) -> Fetched:
    """GET ``url``; raise :class:`InputError` (one line, prefixed with the URL) on any failure.

    ``total_timeout`` defaults to ``2 * timeout`` and covers the whole fetch.
    """
    total = 2 * timeout if total_timeout is None else total_timeout
    deadline = _Deadline(total)
    shown = _clean(url)
    try:
        return _fetch(url, timeout, max_bytes, max_redirects, allow_private, user_agent, deadline)
    except InputError as exc:
        raise InputError(f"{shown}: {exc}") from None
    except _Timeout as exc:
        if exc.total or deadline.passed:
            raise InputError(f"{shown}: timed out after {_seconds(total)} (total time limit)") from None
        raise InputError(f"{shown}: timed out after {_seconds(timeout)}") from None
    except _TooLarge as exc:
        if exc.declared is not None:
            size = f"Content-Length {exc.declared} is"
        elif exc.decoded:
            size = "the decoded body is"
        else:
            size = "the body is"
        raise InputError(f"{shown}: {size} over the {max_bytes}-byte limit (--max-bytes)") from None
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        if deadline.passed:
            raise InputError(f"{shown}: timed out after {_seconds(total)} (total time limit)") from None
        if isinstance(exc, (socket.timeout, TimeoutError)):
            raise InputError(f"{shown}: timed out after {_seconds(timeout)}") from None
        raise InputError(f"{shown}: {_describe(exc)}") from None
    finally:
        deadline.cancel()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate verification failed: {_clean(exc.verify_message or exc.reason or exc)}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {_clean(exc.reason or exc)}"
    if isinstance(exc, http.client.IncompleteRead):
        return "connection closed before the end of the body"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without a response"
    if isinstance(exc, http.client.HTTPException):
        return f"invalid HTTP response: {_clean(exc or type(exc).__name__, 120)}"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(exc, zlib.error):
        return f"invalid compressed body: {_clean(exc, 120)}"
    if isinstance(exc, OSError):
        return f"network error: {_clean(exc.strerror or exc, 120)}"
    return f"cannot fetch: {_clean(exc, 120) or type(exc).__name__}"


def fetch_document(
    url: str,
    *,
    timeout: float = 15.0,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = 5,
    allow_private: bool = True,
    user_agent: str = USER_AGENT,
    total_timeout: float | None = None,
) -> Document:
    """Fetch ``url`` and read it; ``Document.path`` and ``Document.url`` are the final URL."""
    got = fetch(
        url,
        timeout=timeout,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        allow_private=allow_private,
        user_agent=user_agent,
        total_timeout=total_timeout,
    )
    media = got.content_type
    if media and (media.split("/")[0] in _NOT_ARTICLE_MAJOR or media in _NOT_ARTICLE):
        raise InputError(f"{_clean(got.final_url)}: content type {media} is not an article (HTML, Markdown or text)")
    return read_bytes(
        got.data,
        got.final_url,
        media_type=media,
        url=got.final_url,
        charset=got.charset,
        max_bytes=max_bytes,
    )


__all__ = ["USER_AGENT", "Fetched", "fetch", "fetch_document"]
