"""The audit log: appended in the step's own transaction, chained by an HMAC, and
every change, removal or forgery found by audit_verify at the row where it is."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from communities import services as communities
from communities.models import Membership
from moderation import audit
from moderation.models import AppendOnly, AuditEntry
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _three(actor) -> list[AuditEntry]:
    village = CommunityFactory(slug="skovby")
    return [
        audit.record(actor=actor, action=f"test.step{n}", subject=village, reason="r")
        for n in range(3)
    ]


def _tamper(sql: str, params: list) -> None:
    """Change the table behind the application's back, as someone with the
    database's own rights could (on PostgreSQL, past the trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE moderation_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE moderation_auditentry ENABLE TRIGGER USER")


def test_each_row_seals_the_one_before_it_and_the_chain_verifies():
    moderator = UserFactory()

    first, second, third = _three(moderator)

    assert first.prev_hash == audit.GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert audit.verify() == audit.Verdict(rows=3, head=third.hash)
    assert third.actor_id == moderator.pk
    assert (third.subject_type, third.action) == ("communities.community", "test.step2")


def test_a_step_that_fails_leaves_no_audit_row():
    village = CommunityFactory()

    def step():
        with transaction.atomic():
            audit.record(actor=None, action="test.step", subject=village)
            raise ZeroDivisionError  # the step fails after its record

    with pytest.raises(ZeroDivisionError):
        step()

    assert not AuditEntry.objects.exists()


def test_the_models_refuse_to_change_or_delete_a_row():
    [row, *_] = _three(UserFactory())

    row.reason = "something else"
    with pytest.raises(AppendOnly):
        row.save()
    with pytest.raises(AppendOnly):
        row.delete()

    assert AuditEntry.objects.get(pk=row.pk).reason == "r"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trigger is PostgreSQL's: run with DATABASE_URL (make test does)",
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE moderation_auditentry SET reason = 'x'",
        "DELETE FROM moderation_auditentry",
    ],
)
def test_postgresql_itself_refuses_to_change_or_delete_a_row(sql):
    _three(UserFactory())

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert AuditEntry.objects.filter(reason="r").count() == 3


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("UPDATE moderation_auditentry SET reason = 'none' WHERE id = %s", "changed"),
        ("UPDATE moderation_auditentry SET actor_id = NULL WHERE id = %s", "changed"),
        ("DELETE FROM moderation_auditentry WHERE id = %s", "removed or added"),
    ],
)
def test_a_changed_or_removed_row_is_found_where_it_is(sql, problem):
    first, second, third = _three(UserFactory())

    _tamper(sql, [second.pk])

    verdict = audit.verify()
    broken_at = second.pk if "changed" in problem else third.pk
    assert (verdict.rows, verdict.broken_at) == (1, broken_at)
    with translation.override("en"):
        assert problem in str(verdict.problem)
    assert verdict.head == first.hash


def test_a_row_slipped_in_without_the_key_is_found(settings):
    _first, second, third = _three(UserFactory())
    settings.NABOLAG_AUDIT_SECRET = "a key someone guessed"
    forged = audit.seal(
        second.hash, second.at.isoformat(), None, "test.forged", "x", "1", "", "{}"
    )
    settings.NABOLAG_AUDIT_SECRET = ""  # back to the key that sealed the others
    _tamper(
        "UPDATE moderation_auditentry SET action = %s, hash = %s WHERE id = %s",
        ["test.forged", forged, third.pk],
    )

    verdict = audit.verify()

    assert (verdict.rows, verdict.broken_at) == (2, third.pk)


def test_audit_verify_says_the_log_is_intact_or_where_it_breaks(capsys):
    _first, second, third = _three(UserFactory())

    call_command("audit_verify")
    intact = capsys.readouterr().out
    _tamper("UPDATE moderation_auditentry SET reason = 'x' WHERE id = %s", [second.pk])
    with pytest.raises(CommandError) as broken:
        call_command("audit_verify")

    assert intact.startswith("Revisionsloggen er intakt: 3 rækker")

    assert third.hash in intact
    assert f" {second.pk}:" in str(broken.value)


def test_every_change_of_a_membership_is_recorded_with_who_did_it():
    village = CommunityFactory()
    organiser = MembershipFactory(community=village, role=Membership.Role.ORGANISER)
    karen = MembershipFactory(community=village)

    communities.membership_change_role(
        actor=organiser.user, membership=karen, role=Membership.Role.ORGANISER
    )
    communities.membership_change_role(
        actor=organiser.user, membership=karen, role=Membership.Role.MEMBER
    )

    promoted, demoted = AuditEntry.objects.filter(subject_id=str(karen.pk))
    assert promoted.action == demoted.action == "membership.changed"
    assert promoted.actor_id == demoted.actor_id == organiser.user_id
    assert promoted.details_dict["role"] == ["member", "organiser"]
    assert demoted.details_dict["role"] == ["organiser", "member"]
    assert demoted.details_dict["state"] == ["active", "active"]
    assert audit.verify().intact
