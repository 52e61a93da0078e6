"""``gapwatch pull edfi``: read the resources gapwatch uses from an Ed-Fi ODS/API (v7).

- Authentication: OAuth 2.0 client credentials (``POST oauth/token`` with the key and secret
  in HTTP Basic auth); a token refused mid-pull (401) is renewed once.
- Discovery: the API root (``--url``) names the data and token endpoints; when it does not,
  ``data/v3/`` and ``oauth/token`` under the root are used.
- Paging: ``offset`` and ``limit`` (``--page-size``, at most 500 by default on Ed-Fi), until a
  page comes back short.
- Change queries: the first pull reads everything and keeps the API's newest change version
  in ``pull-state.json``; the next pull into the same folder asks only for what changed since
  (``minChangeVersion``/``maxChangeVersion``) and for what was deleted (``/deletes``), and
  applies both. An API without change queries is read in full each time.

The folder holds one ``<resource>.jsonl`` per resource (one JSON object a line) for
``gapwatch ingest FOLDER --from edfi``. It is student data: the folder is created owner-only
and every file is written owner-only, through a temporary file renamed into place.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from gapwatch.errors import Refusal
from gapwatch.sources.edfi.resources import RESOURCES

STATE_FILE = "pull-state.json"
TIMEOUT = 60


class PullRefused(Refusal):
    """The API cannot be read as asked (unreachable, wrong key or secret, not Ed-Fi)."""


@dataclass
class PullResult:
    folder: Path
    incremental: bool
    change_version: int | None
    counts: dict[str, int] = field(default_factory=dict)  #: records kept per resource
    changed: dict[str, int] = field(default_factory=dict)  #: records received this pull
    deleted: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class HttpStatus(Exception):
    """An HTTP error answer from the API (its connection already closed)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"HTTP {code}")
        self.code = code


class EdfiClient:
    """A small ODS/API v7 client: token, discovery, paged GETs."""

    def __init__(self, url: str, key: str, secret: str, page_size: int = 500) -> None:
        self.root = url.rstrip("/") + "/"
        self.key, self.secret, self.page_size = key, secret, page_size
        self.data_url = urllib.parse.urljoin(self.root, "data/v3/")
        self.token_url = urllib.parse.urljoin(self.root, "oauth/token")
        self.token: str | None = None

    def _open(self, request: urllib.request.Request):
        try:
            return urllib.request.urlopen(request, timeout=TIMEOUT)  # noqa: S310 (http(s) only)
        except urllib.error.HTTPError as err:
            err.close()  # the answer's socket, else left to the garbage collector
            raise HttpStatus(err.code) from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise PullRefused(f"{request.full_url}: cannot reach the Ed-Fi API ({reason})"
                              ) from None

    def discover(self) -> None:
        """Read the data and token URLs from the API root, when it says them."""
        try:
            with self._open(urllib.request.Request(self.root)) as response:
                body = json.loads(response.read() or b"{}")
        except (HttpStatus, json.JSONDecodeError):
            return
        urls = body.get("urls", {}) if isinstance(body, dict) else {}
        self.data_url = urls.get("dataManagementApi", self.data_url).rstrip("/") + "/"
        self.token_url = urls.get("oauth", self.token_url)

    def authenticate(self) -> None:
        basic = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        request = urllib.request.Request(
            self.token_url, data=b"grant_type=client_credentials", method="POST",
            headers={"Authorization": f"Basic {basic}",
                     "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with self._open(request) as response:
                body = json.loads(response.read())
        except HttpStatus as err:
            raise PullRefused(f"{self.token_url}: the API refused the key and secret "
                              f"(HTTP {err.code}); check --key and --secret") from None
        except json.JSONDecodeError:
            raise PullRefused(f"{self.token_url}: the token answer is not JSON: is --url an "
                              "Ed-Fi ODS/API?") from None
        if "access_token" not in body:
            raise PullRefused(f"{self.token_url}: no access_token in the answer")
        self.token = body["access_token"]

    def get(self, path: str, params: dict[str, object]) -> list | dict:
        url = urllib.parse.urljoin(self.data_url, path) + "?" + urllib.parse.urlencode(params)
        for attempt in (1, 2):
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}",
                                                           "Accept": "application/json"})
            try:
                with self._open(request) as response:
                    return json.loads(response.read())
            except HttpStatus as err:
                if err.code == 401 and attempt == 1:
                    self.authenticate()  # the token expired: renew it once
                    continue
                if err.code == 404:
                    raise
                raise PullRefused(f"{url}: HTTP {err.code} from the Ed-Fi API") from None
            except json.JSONDecodeError:
                raise PullRefused(f"{url}: the answer is not JSON") from None
        raise PullRefused(f"{url}: the API refused a renewed token")  # pragma: no cover

    def pages(self, path: str, extra: dict[str, object] | None = None) -> Iterator[dict]:
        offset = 0
        while True:
            page = self.get(path, {"offset": offset, "limit": self.page_size, **(extra or {})})
            if not isinstance(page, list):
                raise PullRefused(f"{path}: expected a JSON array of resources")
            yield from page
            if len(page) < self.page_size:
                return
            offset += self.page_size

    def newest_change_version(self) -> int | None:
        try:
            body = self.get("changeQueries/v1/availableChangeVersions", {})
        except HttpStatus:
            return None
        return int(body["newestChangeVersion"]) if isinstance(body, dict) else None


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)


def _write_private(path: Path, lines: Iterator[str]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_jsonl(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {row.get("id", str(i)): row for i, row in enumerate(rows)}


def pull(url: str, key: str, secret: str, out: Path, *, page_size: int = 500,
         full: bool = False, step: Callable[[str], None] = lambda _: None) -> PullResult:
    """Pull every resource gapwatch reads into ``out`` (incrementally when it was pulled
    before from the same API, unless ``full``)."""
    client = EdfiClient(url, key, secret, page_size)
    client.discover()
    client.authenticate()
    _private_folder(out)
    state_path = out / STATE_FILE
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    newest = client.newest_change_version()
    since = state.get("change_version") if state.get("url") == url and not full else None
    incremental = since is not None and newest is not None
    result = PullResult(out, incremental, newest)
    if newest is None:
        result.notes.append("the API offers no change queries: every pull reads everything")
    window = {"minChangeVersion": since + 1, "maxChangeVersion": newest} if incremental else (
        {"maxChangeVersion": newest} if newest is not None else {})
    for resource in RESOURCES:
        step(f"pulling {resource.path}")
        path = f"ed-fi/{resource.path}"
        target = out / f"{resource.path}.jsonl"
        try:
            received = list(client.pages(path, window))
            deletes = list(client.pages(path + "/deletes", window)) if incremental else []
        except HttpStatus as err:  # 404: this API does not expose the resource
            result.notes.append(f"{resource.path}: not offered by the API (HTTP {err.code})")
            continue
        kept = _read_jsonl(target) if incremental else {}
        for row in received:
            kept[row.get("id", str(len(kept)))] = row
        for gone in deletes:
            kept.pop(gone.get("id"), None)
        _write_private(target, (json.dumps(r, sort_keys=True) for r in kept.values()))
        result.counts[resource.path] = len(kept)
        result.changed[resource.path] = len(received)
        result.deleted[resource.path] = len(deletes)
    _write_private(state_path, iter([json.dumps({
        "url": url, "change_version": newest,
        "pulled_at": datetime.now(UTC).isoformat(timespec="seconds")})]))
    return result
