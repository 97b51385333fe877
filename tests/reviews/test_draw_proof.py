"""Issue 19.2: a draw anyone can verify. The commitment (hashes of the public pool snapshot and
of the seed) is recorded with the draw; the export verifies with the standalone script in docs/
and stops verifying when one expert of the snapshot is changed; the API, the command and the page
say the same; the export names no expert and no organisation."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEntry
from reviews.models import Draw
from reviews.proof import canonical_bytes
from reviews.selectors import draw_export, draw_verify
from reviews.services import draw_for_call
from tests.reviews.test_draw_services import in_review
from tests.reviews.test_draw_services import pool as pool  # noqa: F401 - the fixture, reused

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_draw.py"


def _run_script(export: dict, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    # A bare interpreter, as an outsider has it: no Django, no project on the path.
    return subprocess.run(  # noqa: S603 - our own script, on a file we wrote
        [sys.executable, "-I", str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )


@pytest.fixture
def drawn(call, applicant, staff, pool):  # noqa: F811 - pytest fixture
    for i in range(3):
        in_review(call, applicant, title=f"项目 {i}")
    return draw_for_call(call=call, actor=staff, seed="yongjia-2016")


def test_the_commitment_is_recorded_with_the_draw_and_in_its_audit_row(drawn):
    assert drawn.seed_sha256 == hashlib.sha256(b"yongjia-2016").hexdigest()
    assert len(drawn.pool_sha256) == 64 and drawn.algorithm.startswith("pingshen-draw/1")
    row = AuditEntry.objects.get(action="draw.perform", target_id=drawn.pk)
    assert (row.data["pool_sha256"], row.data["seed_sha256"]) == (drawn.pool_sha256, drawn.seed_sha256)
    export = draw_export(drawn)
    assert hashlib.sha256(canonical_bytes(export["snapshot"])).hexdigest() == drawn.pool_sha256


def test_an_exported_draw_verifies_with_the_standalone_script(drawn, tmp_path):
    export = draw_export(drawn)
    assert any(export["chosen"].values())  # something was drawn, so the replay means something
    result = _run_script(export, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verifies" in result.stdout


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.update(load=e["load"] + 5),
        lambda e: e.update(organisation_name="org-99"),
        lambda e: e.update(fields=[]),
        lambda e: e.update(active=not e["active"]),
    ],
)
def test_the_script_refuses_a_snapshot_with_one_expert_changed(drawn, tmp_path, change):
    export = draw_export(drawn)
    forged = copy.deepcopy(export)
    change(forged["snapshot"]["experts"][0])
    result = _run_script(forged, tmp_path)
    assert result.returncode == 1
    assert "pool_sha256" in result.stdout


def test_a_forger_who_also_rewrites_the_hash_is_caught_by_the_replay(drawn, tmp_path):
    """Change the pool so other experts would be drawn, and recompute the hash: the commitment on
    record (draw page, audit trail) no longer matches, and the choices no longer follow."""
    export = draw_export(drawn)
    chosen = {e for ids in export["chosen"].values() for e in ids}
    forged = copy.deepcopy(export)
    for expert in forged["snapshot"]["experts"]:
        if expert["id"] in chosen:
            expert["active"] = False
    forged["pool_sha256"] = hashlib.sha256(canonical_bytes(forged["snapshot"])).hexdigest()
    result = _run_script(forged, tmp_path)
    assert result.returncode == 1
    assert "the rules choose" in result.stdout
    assert forged["pool_sha256"] != drawn.pool_sha256


def test_a_wrong_seed_does_not_verify(drawn, tmp_path):
    export = draw_export(drawn)
    export["seed"] = "another-seed"
    assert "seed_sha256" in _run_script(export, tmp_path).stdout


def _strings(value):
    """Every string value in a JSON document (keys aside: an expert may be called "expert")."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_the_public_export_names_no_expert_and_no_organisation(drawn, pool, org_owner, org_expert):  # noqa: F811
    from reviews.models import Expert

    values = set(_strings(draw_export(drawn)))
    private = {org_owner.name, org_expert.name, org_owner.credit_code, org_expert.credit_code}
    for expert in Expert.objects.select_related("user"):
        private |= {expert.name, expert.user.username}
    assert all(private) and not values & private
    assert {"org-1", "code-1"} <= values  # the tokens standing for them


def test_a_pool_changed_in_the_database_after_the_draw_does_not_verify(drawn):
    assert draw_verify(drawn)["matches"] is True
    pool_rows = copy.deepcopy(drawn.pool)
    pool_rows[0]["load_limit"] = 0
    Draw.objects.filter(pk=drawn.pk).update(pool=pool_rows)
    drawn.refresh_from_db()
    result = draw_verify(drawn)
    assert result["matches"] is False and result["snapshot_matches"] is False


def test_recorded_choices_changed_in_the_database_do_not_verify(drawn):
    item = drawn.items.exclude(chosen=[]).first()
    item.chosen = list(reversed(item.chosen))[:1] + [999999]
    item.save(update_fields=["chosen"])
    result = draw_verify(drawn)
    assert result["replay_matches"] is False and result["differing_items"] == [item.application_id]


def test_api_command_and_page_agree(drawn, staff, tmp_path):
    api = APIClient()
    api.force_authenticate(staff)
    detail = api.get(f"/api/draws/{drawn.pk}/").json()
    assert detail["seed"] == "yongjia-2016" and detail["pool_sha256"] == drawn.pool_sha256
    assert len(detail["items"]) == 3
    verify = api.get(f"/api/draws/{drawn.pk}/verify/").json()
    assert verify["matches"] is True
    assert set(verify) >= {"matches", "pool_sha256", "seed_sha256", "algorithm"}
    snapshot = api.get(f"/api/draws/{drawn.pk}/snapshot/").json()
    assert snapshot["pool_sha256"] == drawn.pool_sha256

    out = tmp_path / "export.json"
    call_command("verify_draw", drawn.pk, "--export", str(out))
    assert _run_script(json.loads(out.read_text()), tmp_path).returncode == 0
    Draw.objects.filter(pk=drawn.pk).update(seed="changed")
    with pytest.raises(CommandError, match="does NOT verify"):
        call_command("verify_draw", drawn.pk)

    page = Client()
    page.force_login(staff)
    shown = page.get(f"/draws/{drawn.pk}/", {"verify": "1"})
    assert shown.status_code == 200 and shown.context["verified"]["seed_matches"] is False
    download = page.get(f"/draws/{drawn.pk}/snapshot.json")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
