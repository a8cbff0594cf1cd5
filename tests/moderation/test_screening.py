"""Screening before anyone reports: word lists, the same text across spaces,
and link-heavy posts from young accounts. A match queues the post, flagged; it
hides nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging import services as messaging
from messaging.models import Message
from moderation import selectors, services
from moderation.models import Case, Flag, WordList
from moderation.services import DecisionInput
from tests.factories import CommunityFactory, UserFactory, member_of
from tests.helpers import make_listing, send

pytestmark = pytest.mark.django_db


def test_a_word_on_the_spaces_list_queues_the_message_and_hides_nothing(
    client, village, general, organiser
):
    services.word_list_update(
        actor=organiser, space=village, words="kasino\nbillig vodka"
    )
    author = member_of(village)

    message = send(author, general, "Billig VODKA i aften, skriv til mig")
    send(author, general, "Vodkabilligt er ikke et ord på listen")

    case = Case.objects.get()
    assert case.object_id == str(message.pk)
    assert case.flagged == Flag.WORDS
    assert case.is_open
    assert case.hidden_at is None
    assert not Message.objects.get(pk=message.pk).is_hidden
    assert selectors.queue_count(organiser) == 1
    client.force_login(author)
    mine = client.get(reverse("moderation:mine"))
    assert case in list(mine.context["cases"])
    decision = services.case_decide(
        moderator=organiser,
        case=case,
        data=DecisionInput(action="no_action", ground="none", facts="Et tilbud."),
    )
    assert decision.automated_detection


def test_the_municipal_list_covers_every_space_and_only_staff_edit_it(
    village, general, organiser, staff
):
    with pytest.raises(services.NotPermitted):
        services.word_list_update(actor=organiser, space=None, words="narko")
    assert not WordList.objects.exists()
    services.word_list_update(actor=staff, space=None, words="narko")

    send(member_of(village), general, "Nogen der har narko?")

    assert Case.objects.get().flagged == Flag.WORDS


def test_a_changed_list_takes_effect_at_once(village, general, organiser):
    author = member_of(village)
    send(author, general, "Hvem vil købe fyrværkeri?")  # lists are read and cached
    services.word_list_update(actor=organiser, space=village, words="fyrværkeri")

    send(author, general, "Stadig fyrværkeri til salg")

    assert Case.objects.count() == 1


def test_the_same_text_in_three_spaces_within_a_day_is_cross_posting():
    author = UserFactory()
    channels = []
    for n in range(3):
        space = CommunityFactory(slug=f"by-{n}")
        member_of(space, user=author)
        channels.append(messaging.channel_ensure_general(community=space))
    text = "Stort loppemarked i min garage på lørdag, kom og køb!"

    send(author, channels[0], text)
    send(author, channels[1], text)
    assert not Case.objects.exists()
    send(
        author, channels[2], "  stort LOPPEMARKED i min garage på lørdag, kom og køb! "
    )

    assert Case.objects.get().flagged == Flag.CROSS_POST


def test_many_links_from_a_young_account_are_screened_not_from_an_old_one(village):
    young = member_of(
        village, user=UserFactory(date_joined=timezone.now() - timedelta(days=10))
    )
    old = member_of(village)
    links = "Se https://a.example, https://b.example og https://c.example"

    make_listing(young, communities=[village], title="Gode tilbud", description=links)
    make_listing(old, communities=[village], title="Gode tilbud", description=links)

    case = Case.objects.get()
    assert case.kind == "listing"
    assert case.flagged == Flag.LINKS
    assert case.author == young


def test_an_organiser_edits_their_spaces_list_and_no_other(client, village, organiser):
    elsewhere = CommunityFactory(name="Bakkeby", slug="bakkeby")
    client.force_login(organiser)

    saved = client.post(
        reverse("moderation:space_words", args=[village.slug]), {"words": "spam\n"}
    )
    other = client.post(
        reverse("moderation:space_words", args=[elsewhere.slug]), {"words": "x"}
    )
    municipal = client.get(reverse("moderation:words"))

    assert saved.status_code == 302
    assert WordList.objects.get(space=village).terms == ["spam"]
    assert other.status_code == 404
    assert municipal.status_code == 404
    assert not WordList.objects.filter(space=elsewhere).exists()
