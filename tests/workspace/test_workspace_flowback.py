"""Flow-back: a support recorded in the workspace appears in ``supports_in_place`` and moves the
student out of the "no support" filter after the next `gapwatch early-warning`; a served
referral becomes an intervention; the run's tiers become tier history."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import students_of
from test_workspace_records import taught_student
from test_workspace_students import export_ids
from typer.testing import CliRunner

from gapwatch.cli import app
from gapwatch.workspace.referrals.models import Referral, ReferralEvent
from gapwatch.workspace.students.models import TierRecord

pytestmark = pytest.mark.django_db


def test_support_flows_back_through_early_warning(clients, accounts, district, tmp_path,
                                                  monkeypatch) -> None:
    monkeypatch.setenv("GAPWATCH_WORKSPACE_DB", str(tmp_path / "unused.sqlite3"))
    sid = taught_student(accounts, district)
    unsupported = {r["student_id"] for r in export_ids(clients["counselor"], "?no_support=1")}
    assert sid in unsupported
    counselor = accounts["users"]["counselor"]
    year = accounts["facts"]["year"]
    assert clients["counselor"].post(f"/students/{sid}/supports/new/", {
        "type": "Reading tutoring", "tier": 2, "goal": "Read at grade level by May",
        "champion": counselor.pk, "start_date": f"{year - 1}-10-01",
        "monitoring": "biweekly"}).status_code == 302
    # a served referral for another student
    other = sorted(unsupported - {sid})[0]
    ref = Referral.objects.create(
        student_id=other, school_id=accounts["facts"]["school"], school_year=year,
        partner_id=accounts["facts"]["partner"], partner_name="P", service="FOOD",
        reason="Food", consent_by="Parent", consent_method="verbal",
        consent_date=date(year - 1, 11, 1), step="served", created_by=counselor)
    for step, day in (("consented", 1), ("sent", 2), ("first_contact", 9), ("served", 20)):
        ReferralEvent.objects.create(referral=ref, step=step, date=date(year - 1, 11, day),
                                     recorded_by=counselor)
    # before the run nothing moved: the list is as of the last run
    assert sid in {r["student_id"] for r in export_ids(clients["counselor"], "?no_support=1")}
    result = CliRunner().invoke(app, ["early-warning", "--db", str(district),
                                      "--out", str(tmp_path / "ew")])
    assert result.exit_code == 0, result.output
    assert "2 supports and served referrals read as interventions" in result.output
    in_place = students_of(district, "SELECT student_id || ' ' || intervention_id || ' ' || "
                           "type FROM supports_in_place", [])
    support_pk = accounts["users"]["counselor"].championed_supports.get().pk
    assert f"{sid} WS-S{support_pk} Reading tutoring" in in_place
    assert f"{other} WS-R{ref.pk} Partner: FOOD" in in_place
    after = {r["student_id"] for r in export_ids(clients["counselor"], "?no_support=1")}
    assert sid not in after and other not in after
    assert unsupported - after == {sid, other}
    tiers = students_of(district, "SELECT supports_in_place FROM student_tiers "
                        "WHERE student_id = ?", [sid])
    assert tiers == {"Tier 2 Reading tutoring"}
    assert TierRecord.objects.filter(student_id=sid).count() == 1
    # running again adds nothing twice and records no tier change
    again = CliRunner().invoke(app, ["early-warning", "--db", str(district),
                                     "--out", str(tmp_path / "ew2")])
    assert again.exit_code == 0, again.output
    assert "0 tier changes" in again.output
    assert students_of(district, "SELECT count(*)::VARCHAR FROM interventions WHERE "
                       "intervention_id LIKE 'WS-%'", []) == {"2"}
