#!/usr/bin/env python3
"""Verify a Pingshen expert draw from its published export, with nothing but Python 3.11+.

    python3 verify_draw.py draw-42.json

The export (the draw page's "snapshot" download, or GET /api/draws/{id}/snapshot/) holds the
commitment made before the draw — the SHA-256 of the pool snapshot and of the seed — and, revealed
after it, the seed, the snapshot itself and the experts chosen for each item. This script checks
that the snapshot and the seed hash to the commitment, then draws again by the published rules
and compares with the recorded choices. It prints what it finds; exit status 0 when everything
matches, 1 when anything does not.

The rules (the same as reviews/draw.py in Pingshen, written out again so that you need not trust
our code). For each item, in the order listed, the candidates are the experts whose fields include
the item's field, by id. A candidate is passed over, for the first reason that applies, when they
are inactive; barred by a credit record in force (``credit_barred``, present only when true);
already on the item; from one of the item's organisations (the same organisation id,
else the same credit code when both have one, else the same name); have declared a conflict with
one of them (by id or by name); or their load has reached their limit. When fewer candidates are
left than the item needs, nobody is chosen; otherwise
``random.Random(f"{seed}:{item_id}").sample(eligible, needed)`` chooses, and each chosen expert's
load goes up by one for the items that follow. Names and codes in a public export are tokens that
stand for the real ones consistently, so every comparison comes out as it did on the real values.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys


def canonical(document: object) -> bytes:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def same_organisation(org: dict, expert: dict) -> bool:
    if expert["organisation_id"] is not None and expert["organisation_id"] == org["id"]:
        return True
    if org["credit_code"] and expert["credit_code"]:
        return org["credit_code"].strip().upper() == expert["credit_code"].strip().upper()
    name = org["name"].strip()
    return bool(name) and name == expert["organisation_name"].strip()


def declared_conflict(org: dict, expert: dict) -> bool:
    if org["id"] is not None and org["id"] in expert["conflict_organisation_ids"]:
        return True
    name = org["name"].strip()
    return bool(name) and name in {n.strip() for n in expert["conflict_names"]}


def passed_over(item: dict, assigned: list, expert: dict, load: int) -> str:
    if not expert["active"]:
        return "inactive"
    if expert.get("credit_barred"):
        return "credit_record"
    if expert["id"] in assigned:
        return "already_assigned"
    if any(same_organisation(org, expert) for org in item["organisations"]):
        return "same_organisation"
    if any(declared_conflict(org, expert) for org in item["organisations"]):
        return "declared_conflict"
    if load >= expert["load_limit"]:
        return "load_limit"
    return ""


def draw(snapshot: dict, seed: str) -> dict[str, list[int]]:
    experts = sorted(snapshot["experts"], key=lambda e: e["id"])
    loads = {e["id"]: e["load"] for e in experts}
    chosen_by_item = {}
    for row in snapshot["items"]:
        item, needed = row["item"], max(row["needed"], 0)
        candidates = [e for e in experts if item["field"] in e["fields"]]
        eligible = [e["id"] for e in candidates if not passed_over(item, row["assigned"], e, loads[e["id"]])]
        chosen = [] if len(eligible) < needed else random.Random(f"{seed}:{item['id']}").sample(eligible, needed)  # noqa: S311
        for expert_id in chosen:
            loads[expert_id] += 1
        chosen_by_item[str(item["id"])] = chosen
    return chosen_by_item


def verify(export: dict) -> list[str]:
    """Every way the export fails to check out; empty when it verifies."""
    problems = []
    if hashlib.sha256(canonical(export["snapshot"])).hexdigest() != export["pool_sha256"]:
        problems.append("the snapshot does not hash to the committed pool_sha256: it is not the pool drawn from")
    if hashlib.sha256(export["seed"].encode("utf-8")).hexdigest() != export["seed_sha256"]:
        problems.append("the seed does not hash to the committed seed_sha256")
    replayed = draw(export["snapshot"], export["seed"])
    for item_id, recorded in export["chosen"].items():
        if replayed.get(item_id) != recorded:
            problems.append(f"item {item_id}: the rules choose {replayed.get(item_id)}, the record says {recorded}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: python3 verify_draw.py EXPORT.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        export = json.load(handle)
    problems = verify(export)
    items = len(export["snapshot"]["items"])
    if problems:
        print(f"Draw {export.get('draw')} does NOT verify:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"Draw {export.get('draw')} verifies: {items} items, pool {export['pool_sha256']}, seed {export['seed']!r}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
