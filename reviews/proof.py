"""A draw anyone can verify (issue 19.2): the commitment, the public snapshot, the check.

Before a draw runs, its inputs are written down as a canonical JSON document — every expert of
the pool as the rules see them (fields, organisation, conflicts, load, limit, active, and
``credit_barred`` where a credit record in force bars the expert) and every
item in the order drawn (its organisations and field, how many experts it needs, who is already
on it) — and the SHA-256 of that document and of the seed are stored on the ``Draw`` and in its
hash-chained audit row. After the draw, the seed and the document are revealed.

The document is the *public* one: organisation names and credit codes are replaced by tokens
(``org-1``, ``code-1`` …, numbered in order of first appearance), consistently across experts
and items, so every rule that compares them decides exactly as it did on the real values, and
nobody learns who the experts are from it. Expert and item ids stay (they are our row ids).

``docs/verify_draw.py`` is a standalone script (standard library only) that takes the exported
file, checks both hashes and runs the rules again; it must reach the recorded choices. It
restates the rules of :mod:`reviews.draw` on purpose: an outsider should not need our code.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

#: What an outsider needs to know to replay: the rules of reviews/draw.py, in its docstring,
#: and per item ``random.Random(f"{seed}:{item_id}").sample(eligible_ids_by_id, needed)``.
ALGORITHM = "pingshen-draw/1 (python random.Random(seed:item).sample over eligible ids in id order)"


def canonical_bytes(document: Any) -> bytes:
    """The one byte string a JSON document hashes as: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


class _Tokens:
    """Replace names and codes by tokens, the same value always by the same token."""

    def __init__(self, prefix: str, normalise: Any) -> None:
        self.prefix = prefix
        self.normalise = normalise
        self.seen: dict[str, str] = {}

    def __call__(self, value: str | None) -> str:
        key = self.normalise(value or "")
        if not key:
            return ""
        if key not in self.seen:
            self.seen[key] = f"{self.prefix}-{len(self.seen) + 1}"
        return self.seen[key]


def _public_expert(e: dict[str, Any], name: _Tokens, code: _Tokens) -> dict[str, Any]:
    public = {
        "id": e["id"],
        "organisation_id": e.get("organisation_id"),
        "credit_code": code(e.get("credit_code")),
        "organisation_name": name(e.get("organisation_name")),
        "fields": list(e.get("fields") or []),
        "active": bool(e["active"]),
        "load": int(e["load"]),
        "load_limit": int(e["load_limit"]),
        "conflict_names": [name(n) for n in e.get("conflict_names") or [] if name(n)],
        "conflict_organisation_ids": list(e.get("conflict_organisation_ids") or []),
    }
    # Only when set: a draw recorded before the credit rule keeps the snapshot (and hash) it had.
    if e.get("credit_barred"):
        public["credit_barred"] = True
    return public


def snapshot_document(*, pool: list[dict[str, Any]], items: list[dict[str, Any]]) -> dict[str, Any]:
    """The public, canonical snapshot of a draw's inputs.

    ``pool`` is ``Draw.pool`` (``ExpertSnapshot.as_json()`` each); ``items`` are, in the order
    drawn, ``{"item": ItemSnapshot.as_json(), "needed": n, "assigned": [expert ids]}``.
    """
    name = _Tokens("org", lambda v: v.strip())
    code = _Tokens("code", lambda v: v.strip().upper())
    experts = [_public_expert(e, name, code) for e in sorted(pool, key=lambda e: e["id"])]
    rows = []
    for entry in items:
        item = entry["item"]
        public = {
            "id": item["id"],
            "field": item.get("field") or "",
            "organisations": [
                {
                    "id": item.get("organisation_id"),
                    "credit_code": code(item.get("credit_code")),
                    "name": name(item.get("organisation_name")),
                },
                *(
                    {"id": o.get("id"), "credit_code": code(o.get("credit_code")), "name": name(o.get("name"))}
                    for o in item.get("others") or []
                ),
            ],
        }
        rows.append({"item": public, "needed": int(entry["needed"]), "assigned": sorted(entry.get("assigned") or [])})
    return {"algorithm": ALGORITHM, "experts": experts, "items": rows}


def commitment(*, pool: list[dict[str, Any]], items: list[dict[str, Any]], seed: str) -> dict[str, str]:
    """What is recorded before the draw runs: the hashes of the snapshot and of the seed."""
    return {
        "algorithm": ALGORITHM,
        "pool_sha256": sha256_hex(canonical_bytes(snapshot_document(pool=pool, items=items))),
        "seed_sha256": sha256_hex(seed),
    }
