"""The model graph: every model file of this folder, its dependencies and their order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from graphlib import CycleError, TopologicalSorter
from importlib.resources import files
from typing import Any

from gapwatch.models.context import parameters
from gapwatch.models.model import (
    Model,
    ModelError,
    dependencies,
    helper_names,
    parse_header,
    parse_sql,
)
from gapwatch.models.render import (
    SOURCE_PREFIX,
    is_source,
    model_steps,
    render_model,
    source_step,
)


def read_model(text: str, file: str) -> Model:
    """A model from its file's text; dependencies read from the SQL rendered with the
    default parameters."""
    keys, columns, template = parse_header(text, file)
    if f"{keys['name']}.sql" != file:
        raise ModelError(f"{file}: the header names {keys['name']!r}; the file must be "
                         f"{keys['name']}.sql")
    model = Model(keys["name"], keys["grain"], keys["description"], columns, file, template)
    tree = parse_sql(render_model(model, parameters([2025])), file)
    return replace(model, depends_on=dependencies(tree), helpers=helper_names(tree))


@cache
def models() -> dict[str, Model]:
    """Every model of the package, by name, in dependency order."""
    found = {}
    for entry in sorted(files(__package__).iterdir(), key=lambda f: f.name):
        if entry.name.endswith(".sql"):
            model = read_model(entry.read_text(encoding="utf-8"), entry.name)
            found[model.name] = model
    return {name: found[name] for name in order(found)}


def order(found: Mapping[str, Model]) -> list[str]:
    """Model names so that each comes after every model it reads (ties: by name)."""
    names = set(found)
    helpers: dict[str, str] = {}
    for model in found.values():
        for helper in model.helpers:
            if helper in names or helper in helpers:
                raise ModelError(f"{model.file}: the step {helper!r} is also defined by "
                                 f"{helpers.get(helper, helper)}")
            helpers[helper] = model.file
        unknown = [d for d in model.depends_on if d not in names and not is_source(d)]
        if unknown:
            raise ModelError(f"{model.file}: reads unknown tables {', '.join(unknown)}")
    graph = TopologicalSorter({
        name: sorted(d for d in found[name].depends_on if d in names) for name in sorted(names)})
    try:
        return list(graph.static_order())
    except CycleError as err:
        raise ModelError(f"the models depend on each other in a cycle: {err.args[1]}") from None


def sources(found: Mapping[str, Model] | None = None) -> list[str]:
    """Contract tables the models read (as ``t_<table>``), by name."""
    found = models() if found is None else found
    return sorted({d[len(SOURCE_PREFIX):] for m in found.values() for d in m.depends_on
                   if is_source(d)})


def upstream(targets: Iterable[str]) -> set[str]:
    """``targets`` and every model they read, directly or not."""
    found, seen = models(), set()
    todo = list(targets)
    while todo:
        name = todo.pop()
        if name not in found:
            raise ModelError(f"no model named {name!r}")
        if name not in seen:
            seen.add(name)
            todo += [d for d in found[name].depends_on if d in found]
    return seen


def with_clause(targets: Iterable[str], present: set[str], params: Mapping[str, Any]) -> str:
    """``WITH ...``: a ``t_<table>`` step per contract table the models read (an empty
    stand-in for a table not in ``present``), then ``targets`` and every model they read, in
    dependency order. Callers add their own steps and a final SELECT."""
    needed = upstream(targets)
    steps = [source_step(t, present) for t in sources()]
    for name, model in models().items():
        if name in needed:
            steps += model_steps(model, params)
    return "WITH " + ",\n".join(steps)
