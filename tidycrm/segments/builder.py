"""The visual filter builder's form: a filter tree encoded in flat form fields, and back.

Every node has a path ("r", "r.0", "r.1.w"...). A group sends `<path>.group` (all/any) and has
children `<path>.<n>`; a condition sends `<path>.field`, `<path>.op` and `<path>.value`, and a
related-records condition has its `where` group at `<path>.w`. Values are typed from the
field's kind, so the builder produces exactly the JSON the API takes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tidycrm.segments.language.compiler import LIST_OPS, NO_VALUE, WHOLE_OPS
from tidycrm.segments.language.registry import Kind, lookup

ROOT = "r"
MAX_NODES = 60


@dataclass
class Node:
    """One node of the tree as the builder shows it (value as typed)."""

    path: str
    group: str = ""  # "all" / "any" for a group
    children: list[Node] = field(default_factory=list)
    field: str = ""
    op: str = ""
    value: str = ""
    where: Node | None = None
    # Set by `annotate` for rendering: the record type the node filters and its field's spec.
    record_type: str = "contact"
    spec: Any = None

    @property
    def is_group(self) -> bool:
        return bool(self.group)


def parse(data: Mapping[str, str], path: str = ROOT, record_type: str = "contact") -> Node:
    """The tree as posted by the builder form."""
    group = data.get(f"{path}.group", "")
    if group or path == ROOT:
        node = Node(path=path, group=group if group in ("all", "any") else "all")
        pattern = re.compile(re.escape(path) + r"\.(\d+)\.")
        indexes = sorted({int(m.group(1)) for key in data if (m := pattern.match(key))})
        for index in indexes[:MAX_NODES]:
            node.children.append(parse(data, f"{path}.{index}", record_type))
        return node
    node = Node(
        path=path,
        field=data.get(f"{path}.field", ""),
        op=data.get(f"{path}.op", ""),
        value=data.get(f"{path}.value", ""),
    )
    spec = lookup(record_type, node.field) if node.field else None
    if spec is not None and spec.kind == Kind.RELATED and spec.related is not None:
        where = f"{path}.w"
        has_where = any(key.startswith(where + ".") for key in data)
        node.where = parse(data, where, spec.related.record_type) if has_where else None
    return node


def renumber(node: Node, path: str = ROOT) -> Node:
    """Paths 0..n-1 again after an add or remove."""
    node.path = path
    for index, child in enumerate(node.children):
        renumber(child, f"{path}.{index}")
    if node.where is not None:
        renumber(node.where, f"{path}.w")
    return node


def find(node: Node, path: str) -> Node | None:
    if node.path == path:
        return node
    for child in [*node.children, *([node.where] if node.where else [])]:
        found = find(child, path)
        if found is not None:
            return found
    return None


def apply(root: Node, action: str) -> Node:
    """add:<group path>, group:<group path>, where:<condition path>, remove:<path>."""
    verb, _, path = action.partition(":")
    target = find(root, path)
    if target is None:
        return root
    if verb == "add" and target.is_group:
        target.children.append(Node(path=""))
    elif verb == "group" and target.is_group:
        target.children.append(Node(path="", group="any", children=[Node(path="")]))
    elif verb == "where" and not target.is_group and target.where is None:
        target.where = Node(path="", group="all", children=[Node(path="")])
    elif verb == "remove" and path != ROOT:
        _remove(root, target)
    return renumber(root)


def _remove(node: Node, target: Node) -> None:
    if target in node.children:
        node.children.remove(target)
        return
    if node.where is target:
        node.where = None
        return
    for child in [*node.children, *([node.where] if node.where else [])]:
        _remove(child, target)


def to_filter(node: Node, record_type: str = "contact") -> dict[str, Any] | None:
    """The filter language's JSON; None for an empty tree (matches everyone)."""
    if node.is_group:
        parts = [p for c in node.children if (p := to_filter(c, record_type)) is not None]
        if not parts:
            return None
        return {node.group: parts}
    if not node.field:
        return None
    condition: dict[str, Any] = {"field": node.field, "op": node.op}
    value = typed_value(record_type, node.field, node.op, node.value)
    if value is not None:
        condition["value"] = value
    spec = lookup(record_type, node.field)
    if node.where is not None and spec is not None and spec.related is not None:
        where = to_filter(node.where, spec.related.record_type)
        if where is not None:
            condition["where"] = where
    return condition


def typed_value(record_type: str, name: str, op: str, text: str) -> Any:
    """The value as the language takes it, from what was typed; what cannot be read stays text
    so that the compiler names the problem."""
    if op in NO_VALUE:
        return None
    text = text.strip()
    if op in WHOLE_OPS:
        return int(text) if text.isdigit() else text
    spec = lookup(record_type, name)
    kind = spec.kind if spec is not None else Kind.TEXT
    if op in LIST_OPS or op == "between":
        return [
            _one(kind, part.strip(), spec is not None and spec.by_id)
            for part in text.split(",")
            if part.strip()
        ]
    if not text:
        return None
    return _one(kind, text, spec is not None and spec.by_id)


def _one(kind: Kind, text: str, by_id: bool) -> Any:
    if kind == Kind.NUMBER:
        try:
            number = float(text.replace(" ", ""))
        except ValueError:
            return text
        return int(number) if number.is_integer() and "." not in text else number
    if kind == Kind.REFERENCE or by_id:
        return int(text) if text.isdigit() else text
    if kind == Kind.BOOLEAN:
        return {"true": True, "false": False}.get(text, text)
    return text


def from_filter(node: Any, path: str = ROOT, record_type: str = "contact") -> Node:
    """The builder's tree for a stored filter (to edit a segment)."""
    if isinstance(node, dict) and ("all" in node or "any" in node):
        group = "all" if "all" in node else "any"
        tree = Node(path=path, group=group)
        for index, child in enumerate(node[group]):
            tree.children.append(from_filter(child, f"{path}.{index}", record_type))
        return tree
    if not isinstance(node, dict):
        return Node(path=path)
    value = node.get("value")
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else _text(value)
    condition = Node(
        path=path, field=str(node.get("field", "")), op=str(node.get("op", "")), value=text
    )
    spec = lookup(record_type, condition.field)
    if node.get("where") is not None and spec is not None and spec.related is not None:
        condition.where = from_filter(node["where"], f"{path}.w", spec.related.record_type)
    if path == ROOT:
        return Node(path=ROOT, group="all", children=[renumber(condition, f"{ROOT}.0")])
    return condition


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


OP_LABELS = {
    "eq": "is",
    "neq": "is not",
    "in": "is one of",
    "not_in": "is none of",
    "contains": "contains",
    "not_contains": "does not contain",
    "starts_with": "starts with",
    "ends_with": "ends with",
    "gt": "more than",
    "gte": "at least",
    "lt": "less than",
    "lte": "at most",
    "between": "between",
    "before": "before",
    "after": "after",
    "in_last_days": "in the last (days)",
    "not_in_last_days": "not in the last (days)",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
    "has": "has",
    "has_not": "does not have",
    "has_any": "has any of",
    "has_none": "has none of",
    "exists": "has at least one",
    "not_exists": "has none",
    "count_gte": "has at least (number)",
    "count_lte": "has at most (number)",
}


def annotate(node: Node, record_type: str = "contact") -> Node:
    """Attach each condition's field spec, for the template."""
    node.record_type = record_type
    if not node.is_group:
        node.spec = lookup(record_type, node.field) if node.field else None
        if node.spec is not None and node.op not in node.spec.operators:
            node.op = node.spec.operators[0]
        if node.where is not None and node.spec is not None and node.spec.related is not None:
            annotate(node.where, node.spec.related.record_type)
    for child in node.children:
        annotate(child, record_type)
    return node
