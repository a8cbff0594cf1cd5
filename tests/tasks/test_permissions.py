"""Who acts for which side of an agreement, and who sees it: both
communities' members see their own agreements (a contractor's staff never
another firm's), municipal staff only those both parties shared, and
nobody else any."""

import pytest
from django.contrib.auth.models import AnonymousUser

from communities.models import Community, Membership
from tasks import permissions, selectors
from tasks.errors import TaskNotPermitted
from tasks.models import Agreement, AgreementActor, Side
from tasks.services import agreements
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    member_of,
    organiser_of,
)
from tests.tasks.conftest import da


def visible(user) -> set[int]:
    return set(
        Agreement.objects.filter(permissions.visible_agreements_q(user)).values_list(
            "pk", flat=True
        )
    )


@pytest.fixture
def rival(db, club, pitch):
    """Another firm with its own agreement with the same club."""
    firm = CommunityFactory(
        name="Konkurrenten A/S", slug="konkurrenten", kind=Community.Kind.CONTRACTOR
    )
    organiser = organiser_of(firm)
    agreement = agreements.agreement_invite(
        actor=organiser_of(club),
        client=club,
        contractor=firm,
        title="Snerydning",
        sites=[pitch],
        work_kinds=["snow_clearing"],
    )
    return agreements.agreement_answer(
        actor=organiser, agreement=agreement, accept=True
    )


# --- sides_of and can_act --------------------------------------------------------


def test_each_sides_organisers_act_for_their_side(
    agreement, club_organiser, firm_organiser
):
    assert permissions.sides_of(club_organiser, agreement) == {Side.CLIENT}
    assert permissions.sides_of(firm_organiser, agreement) == {Side.CONTRACTOR}
    assert permissions.can_act(club_organiser, agreement)
    assert permissions.can_act(club_organiser, agreement, Side.CLIENT)
    assert not permissions.can_act(club_organiser, agreement, Side.CONTRACTOR)
    assert permissions.can_act(firm_organiser, agreement, Side.CONTRACTOR)
    assert not permissions.can_act(firm_organiser, agreement, Side.CLIENT)


def test_members_staff_and_strangers_act_for_no_side(
    agreement, club, firm_staff, stranger, staff
):
    player = member_of(club)

    for user in (player, firm_staff, stranger, staff, AnonymousUser()):
        assert permissions.sides_of(user, agreement) == set()
        assert not permissions.can_act(user, agreement)


def test_someone_named_on_the_agreement_acts_for_that_side(
    agreement, firm_staff, firm_organiser
):
    agreements.actor_add(
        actor=firm_organiser, agreement=agreement, user=firm_staff, side=Side.CONTRACTOR
    )

    assert permissions.sides_of(firm_staff, agreement) == {Side.CONTRACTOR}
    assert permissions.can_act(firm_staff, agreement, Side.CONTRACTOR)
    # Acting on tasks is not changing the agreement.
    assert not permissions.can_manage_agreement(firm_staff, agreement, Side.CONTRACTOR)


def test_one_person_running_both_communities_acts_for_both_sides(
    agreement, club_organiser, firm
):
    MembershipFactory(
        community=firm, user=club_organiser, role=Membership.Role.ORGANISER
    )

    assert permissions.sides_of(club_organiser, agreement) == {
        Side.CLIENT,
        Side.CONTRACTOR,
    }
    assert permissions.side_of(club_organiser, agreement) == Side.CLIENT
    assert (
        permissions.side_of(club_organiser, agreement, prefer=Side.CONTRACTOR)
        == Side.CONTRACTOR
    )


@pytest.mark.parametrize(
    "change",
    [{"state": Membership.State.LEFT}, {"role": Membership.Role.MEMBER}],
    ids=["left", "no longer organiser"],
)
def test_an_organiser_who_stepped_down_no_longer_acts(
    agreement, club_organiser, club, change
):
    Membership.objects.filter(user=club_organiser, community=club).update(**change)

    assert permissions.sides_of(club_organiser, agreement) == set()


def test_a_deactivated_account_acts_for_no_side(agreement, firm_organiser):
    firm_organiser.is_active = False
    firm_organiser.save(update_fields=["is_active"])

    assert permissions.sides_of(firm_organiser, agreement) == set()
    assert visible(firm_organiser) == set()


# --- visible_agreements_q ----------------------------------------------------


def test_both_communities_members_see_their_agreement(
    agreement, club, firm_staff, club_organiser, firm_organiser
):
    player = member_of(club)

    for user in (player, firm_staff, club_organiser, firm_organiser):
        assert visible(user) == {agreement.pk}
        assert permissions.can_see(user, agreement)


def test_a_contractors_staff_see_only_their_own_firms_agreements(
    agreement, rival, firm_staff, club
):
    rival_staff = member_of(rival.contractor)
    player = member_of(club)

    assert visible(firm_staff) == {agreement.pk}
    assert visible(rival_staff) == {rival.pk}
    assert not permissions.can_see(firm_staff, rival)
    # The club is party to both.
    assert visible(player) == {agreement.pk, rival.pk}


def test_strangers_and_anonymous_visitors_see_no_agreement(agreement, stranger, task):
    assert visible(stranger) == set()
    assert visible(AnonymousUser()) == set()
    assert not permissions.can_see_task(stranger, task)


def test_a_former_member_no_longer_sees_the_agreement(agreement, firm_staff, firm):
    Membership.objects.filter(user=firm_staff, community=firm).update(
        state=Membership.State.LEFT
    )

    assert visible(firm_staff) == set()


def test_someone_named_on_the_agreement_sees_it_while_a_member(
    agreement, firm_organiser, firm
):
    helper = member_of(firm)
    AgreementActor.objects.create(
        agreement=agreement, user=helper, side=Side.CONTRACTOR
    )
    assert visible(helper) == {agreement.pk}
    assert permissions.can_act(helper, agreement, Side.CONTRACTOR)

    # Leaving the firm ends it, named or not: the agreement is the firm's.
    Membership.objects.filter(user=helper, community=firm).update(
        state=Membership.State.LEFT
    )

    assert visible(helper) == set()
    assert permissions.sides_of(helper, agreement) == set()
    assert selectors.boards_of(helper) == []


def test_municipal_staff_see_an_agreement_only_once_both_sides_share_it(
    agreement, staff, club_organiser, firm_organiser, task
):
    seen_before = visible(staff)
    agreements.agreement_share(actor=club_organiser, agreement=agreement, shared=True)
    seen_by_one = visible(staff)
    agreements.agreement_share(actor=firm_organiser, agreement=agreement, shared=True)
    seen_by_both = visible(staff)
    agreements.agreement_share(actor=firm_organiser, agreement=agreement, shared=False)
    seen_after = visible(staff)

    assert seen_before == set()
    assert seen_by_one == set()
    assert seen_by_both == {agreement.pk}
    assert seen_after == set()
    agreement.refresh_from_db()
    assert (agreement.shared_by_client, agreement.shared_by_contractor) == (True, False)


def test_municipal_staff_seeing_a_shared_agreement_still_cannot_act_on_it(
    agreement, staff, club_organiser, firm_organiser, task
):
    agreements.agreement_share(actor=club_organiser, agreement=agreement, shared=True)
    agreements.agreement_share(actor=firm_organiser, agreement=agreement, shared=True)

    assert permissions.can_see_task(staff, task)
    assert not permissions.can_act(staff, agreement)
    assert not permissions.can_manage_agreement(staff, agreement, Side.CLIENT)


def test_the_filter_works_through_a_tasks_agreement(agreement, task, firm_staff):
    from tasks.models import Task

    mine = Task.objects.filter(
        permissions.visible_agreements_q(firm_staff, "agreement__")
    )

    assert list(mine) == [task]


def test_only_either_sides_organisers_share_the_agreement(agreement, firm_staff, staff):
    for user in (firm_staff, staff):
        with pytest.raises(TaskNotPermitted) as exc:
            agreements.agreement_share(actor=user, agreement=agreement, shared=True)

        assert str(exc.value.message) == da(
            "Only the organisers of either party can do this."
        )
    agreement.refresh_from_db()
    assert (agreement.shared_by_client, agreement.shared_by_contractor) == (
        False,
        False,
    )
