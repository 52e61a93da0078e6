"""Read Ed-Fi records from XML interchange files and from API JSON (``gapwatch pull edfi``).

XML is parsed with the standard library's expat parser (external entities are never fetched),
keeping the line where each record starts. References written as ``ref="ID"`` (the sample's
``<DisciplineIncidentReference ref="DISC_10_255901001"/>``) are followed to the element with
that ``id``. API pulls are JSON Lines, one resource per line, one file per resource.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from gapwatch.sources.edfi.resources import BY_ELEMENT, BY_PATH, Resource


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    text: str = ""


class XmlRefused(Exception):
    """The file is not well-formed XML; the message names file and line."""


def parse_xml(path: Path) -> Node:
    """The document's root element, every element with its line."""
    root: list[Node] = []
    stack: list[Node] = []
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def start(name: str, attrs: dict[str, str]) -> None:
        node = Node(name.split(":")[-1], attrs, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(node)
        stack.append(node)

    def end(_name: str) -> None:
        node = stack.pop()
        node.text = node.text.strip()

    def text(data: str) -> None:
        if stack:
            stack[-1].text += data

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text
    try:
        with path.open("rb") as fh:
            parser.ParseFile(fh)
    except expat.ExpatError as err:
        raise XmlRefused(f"{path.name}, line {err.lineno}: not well-formed XML "
                         f"({expat.errors.messages.get(err.code, err)})") from None
    if not root:
        raise XmlRefused(f"{path.name}: no XML root element")
    return root[0]


def _values(node: Node, steps: list[str], ids: dict[str, Node]) -> Iterator[str]:
    if not steps:
        yield node.text
        return
    for child in node.children:
        if child.tag != steps[0]:
            continue
        rest = steps[1:]
        if "ref" in child.attrs and not child.children and child.attrs["ref"] in ids:
            # <XReference ref="ID"/>: the identity fields are those of the element ID
            if rest and rest[0].endswith("Identity"):
                rest = rest[1:]
            yield from _values(ids[child.attrs["ref"]], rest, ids)
        else:
            yield from _values(child, rest, ids)


def _join(values: list[str]) -> str | None:
    kept = [v for v in values if v != ""]
    return ";".join(kept) if kept else None


def xml_records(roots: list[tuple[str, Node]]) -> dict[str, list[tuple[str, int, list]]]:
    """{resource name: [(file, line, values)]} from parsed interchange files."""
    ids = {n.attrs["id"]: n for _, root in roots for n in root.children if "id" in n.attrs}
    out: dict[str, list[tuple[str, int, list]]] = {}
    for file, root in roots:
        for node in root.children:
            resource = BY_ELEMENT.get(node.tag)
            if resource is None:
                continue
            values = [_join(list(_values(node, f.xml.split("/"), ids)))
                      for f in resource.fields]
            out.setdefault(resource.name, []).append((file, node.line, values))
    return out


def _json_values(obj: object, steps: list[str]) -> Iterator[str]:
    if not steps:
        if obj is None:
            return
        yield ("true" if obj else "false") if isinstance(obj, bool) else str(obj)
        return
    step, many = steps[0].removesuffix("[]"), steps[0].endswith("[]")
    if not isinstance(obj, dict) or step not in obj:
        return
    value = obj[step]
    for item in (value if many and isinstance(value, list) else [value]):
        yield from _json_values(item, steps[1:])


def json_values(resource: Resource, obj: dict) -> list[str | None]:
    return [_join(list(_json_values(obj, f.json.split(".")))) for f in resource.fields]


def jsonl_file_resource(path: Path) -> Resource | None:
    """The resource a pulled file holds (``studentSchoolAssociations.jsonl``)."""
    return BY_PATH.get(path.name.removesuffix(".jsonl"))


def json_records(path: Path, resource: Resource):
    """(file, line, values) for each JSON object of a JSON Lines file, and lines that are not
    JSON objects as (line, text, reason)."""
    good, bad = [], []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                bad.append((number, line.strip(), f"not a JSON object ({err.msg})"))
                continue
            if not isinstance(obj, dict):
                bad.append((number, line.strip(), "not a JSON object"))
                continue
            good.append((path.name, number, json_values(resource, obj)))
    return good, bad
