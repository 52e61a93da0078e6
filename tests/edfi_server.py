"""A local stand-in for an Ed-Fi ODS/API v7, on 127.0.0.1, serving the Grand Bend records.

No Ed-Fi server can be reached from the test machines, so this one answers the way the ODS/API
documents: the root lists its URLs; ``POST /oauth/token`` takes client credentials in HTTP
Basic auth and returns a bearer token; ``GET /data/v3/ed-fi/{resource}`` pages with ``offset``
and ``limit`` (``Total-Count`` header with ``totalCount=true``) and filters by
``minChangeVersion``/``maxChangeVersion``; ``/deletes`` lists deleted ids;
``/changeQueries/v1/availableChangeVersions`` gives the change version window. Resources are
JSON objects with ``id``, ``_etag`` and ``_lastModifiedDate`` and the properties gapwatch
reads, built from the Grand Bend XML records (references as ``xReference`` objects,
descriptors as URIs, collections as arrays of objects, identifiers and years as numbers).
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from gapwatch.sources.edfi.records import parse_xml, xml_records
from gapwatch.sources.edfi.resources import BY_NAME, Resource

KEY, SECRET = "grand-bend-key", "grand-bend-secret"
INTEGERS = {"schoolId", "localEducationAgencyId", "educationOrganizationId", "schoolYear",
            "totalInstructionalDays"}
NUMBERS = {"eventDuration", "fullTimeEquivalency", "disciplineActionLength",
           "actualDisciplineActionLength", "yearsOfPriorProfessionalExperience"}
BOOLEANS = {"hispanicLatinoEthnicity"}


def _typed(name: str, value: str) -> object:
    if name in INTEGERS:
        return int(value[-4:]) if name == "schoolYear" else int(value)
    if name in NUMBERS:
        number = float(value)
        return int(number) if number == int(number) else number
    if name in BOOLEANS:
        return value.lower() in ("true", "1")
    return value


def to_json(resource: Resource, values: list[str | None]) -> dict:
    """The API shape of one record: nested references, arrays of objects for collections."""
    obj: dict = {}
    for spec, value in zip(resource.fields, values, strict=True):
        if value is None:
            continue
        steps = spec.json.split(".")
        parts = value.split(";") if any(s.endswith("[]") for s in steps) else [value]
        for i, part in enumerate(parts):
            node = obj
            for step in steps[:-1]:
                if step.endswith("[]"):
                    items = node.setdefault(step[:-2], [])
                    while len(items) <= i:
                        items.append({})
                    node = items[i]
                else:
                    node = node.setdefault(step, {})
            node[steps[-1]] = _typed(steps[-1], part)
    return obj


def grand_bend_resources(folder: Path) -> dict[str, list[dict]]:
    """{API resource path: [JSON resources]} from the Grand Bend XML files."""
    roots = [(p.name, parse_xml(p)) for p in sorted(folder.glob("*.xml"))]
    out: dict[str, list[dict]] = {}
    for name, records in xml_records(roots).items():
        resource = BY_NAME[name]
        for file, line, values in records:
            body = to_json(resource, values)
            body["id"] = uuid.uuid5(uuid.NAMESPACE_URL, f"{file}:{line}").hex
            body["_etag"] = str(line)
            body["_lastModifiedDate"] = "2024-12-13T00:00:00Z"
            out.setdefault(resource.path, []).append(body)
    return out


class EdfiApi:
    """The served state: resources with their change versions, deletions, tokens issued."""

    def __init__(self, resources: dict[str, list[dict]]) -> None:
        self.version = 1
        self.rows = {path: [(1, r) for r in rows] for path, rows in resources.items()}
        self.deleted: dict[str, list[tuple[int, dict]]] = {}
        self.tokens: set[str] = set()
        self.requests: list[str] = []

    def change(self, path: str, row: dict) -> None:
        self.version += 1
        self.rows[path] = [(v, r) for v, r in self.rows[path] if r["id"] != row["id"]]
        self.rows[path].append((self.version, row))

    def delete(self, path: str, row_id: str) -> None:
        self.version += 1
        self.rows[path] = [(v, r) for v, r in self.rows[path] if r["id"] != row_id]
        self.deleted.setdefault(path, []).append(
            (self.version, {"id": row_id, "changeVersion": self.version}))


def _handler(api: EdfiApi, base: str):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, status: int, body: object, headers: dict | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            expected = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
            if urlparse(self.path).path != "/oauth/token":
                return self._send(404, {"message": "not found"})
            if self.headers.get("Authorization") != f"Basic {expected}":
                return self._send(401, {"error": "invalid_client"})
            token = uuid.uuid4().hex
            api.tokens.add(token)
            self._send(200, {"access_token": token, "expires_in": 1800, "token_type": "bearer"})

        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            api.requests.append(self.path)
            if url.path == "/":
                return self._send(200, {"version": "7.1", "dataModels": [
                    {"name": "Ed-Fi", "version": "5.0.0"}], "urls": {
                    "dataManagementApi": f"{base}/data/v3/", "oauth": f"{base}/oauth/token"}})
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in api.tokens:
                return self._send(401, {"message": "Authorization denied."})
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/data/v3/changeQueries/v1/availableChangeVersions":
                return self._send(200, {"oldestChangeVersion": 0,
                                        "newestChangeVersion": api.version})
            parts = url.path.removeprefix("/data/v3/ed-fi/").split("/")
            lo, hi = int(q.get("minChangeVersion", 0)), int(q.get("maxChangeVersion", 10**9))
            if len(parts) == 2 and parts[1] == "deletes":
                rows = [r for v, r in api.deleted.get(parts[0], []) if lo <= v <= hi]
            elif len(parts) == 1 and parts[0] in api.rows:
                rows = [r for v, r in api.rows[parts[0]] if lo <= v <= hi]
            elif len(parts) == 1:
                rows = []  # a resource the API has and the district does not use: empty
            else:
                return self._send(404, {"message": "not found"})
            offset, limit = int(q.get("offset", 0)), int(q.get("limit", 25))
            if limit > 500:
                return self._send(400, {"message": "limit must be at most 500"})
            headers = {"Total-Count": str(len(rows))} if q.get("totalCount") == "true" else {}
            self._send(200, rows[offset:offset + limit], headers)

    return Handler


class Server:
    """Context manager: the stand-in API on a free port of 127.0.0.1."""

    def __init__(self, resources: dict[str, list[dict]]) -> None:
        self.api = EdfiApi(resources)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), None)  # type: ignore[arg-type]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.httpd.RequestHandlerClass = _handler(self.api, self.url)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
