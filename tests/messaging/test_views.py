import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from messaging import services
from messaging.models import Message, Reaction
from tests.factories import CommunityFactory, MembershipFactory
from tests.helpers import send, session_queries

# The design system's badge draws its data-count; screen readers read the text.
BADGE = (
    '<span class="ds-badge" data-color="danger" data-count="%d">'
    '<span class="visually-hidden">%d</span></span>'
)


@pytest.fixture
def karen_client(client, karen):
    client.force_login(karen)
    return client


def test_conversation_page_shows_messages_with_a_labelled_composer(
    karen_client, karen, lars, general
):
    send(lars, general, "Hvem kommer til fællesspisning?")

    response = karen_client.get(general.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Hvem kommer til fællesspisning?" in html
    assert 'for="id_body"' in html  # the composer's label
    assert 'aria-live="polite"' in html


def test_form_post_sends_a_message_without_javascript(karen_client, general):
    response = karen_client.post(
        general.get_absolute_url(), {"body": "Hej alle", "client_id": "form-1"}
    )

    assert response.status_code == 302
    assert Message.objects.get().body == "Hej alle"


def test_reposting_the_same_form_does_not_duplicate_the_message(karen_client, general):
    data = {"body": "Hej alle", "client_id": "form-1"}

    karen_client.post(general.get_absolute_url(), data)
    karen_client.post(general.get_absolute_url(), data)

    assert Message.objects.count() == 1


def test_empty_form_post_keeps_the_page_and_shows_an_error(karen_client, general):
    response = karen_client.post(
        general.get_absolute_url(), {"body": "", "client_id": "form-2"}
    )

    assert response.status_code == 400
    assert 'id="id_body_error"' in response.content.decode()


def test_outsider_gets_not_found_for_a_channel(client, outsider, general):
    client.force_login(outsider)

    response = client.get(general.get_absolute_url())

    assert response.status_code == 404


def test_channel_list_creates_the_general_channel_and_shows_unread_counts(
    karen_client, lars, village
):
    general = services.channel_ensure_general(community=village)
    send(lars, general, "en")
    send(lars, general, "to")

    # Read the page in English, whatever the compiled catalogues say.
    response = karen_client.get(
        reverse("messaging:channels", args=[village.slug]),
        headers={"accept-language": "en"},
    )

    assert response.status_code == 200
    assert "2 unread" in strip_tags(response.content.decode())


def test_inbox_query_count_does_not_grow_with_conversations(
    karen_client, karen, village, django_assert_num_queries
):
    for n in range(6):
        other = CommunityFactory()
        MembershipFactory(community=other, user=karen)
        channel = services.channel_ensure_general(community=other)
        send(karen, channel, f"hej {n}")
        MembershipFactory(community=village, user__display_name=f"Nabo {n}")
    for person in village.memberships.exclude(user=karen)[:4]:
        conv = services.direct_start(actor=karen, others=[person.user])
        send(person.user, conv, "hej")

    with django_assert_num_queries(11 + session_queries()):
        response = karen_client.get(reverse("messaging:inbox"))

    assert response.status_code == 200


def test_header_shows_unread_notifications(karen_client, karen, lars):
    conv = services.direct_start(actor=lars, others=[karen])
    send(lars, conv, "Hej Karen")

    response = karen_client.get(reverse("messaging:inbox"))

    assert f'data-badge="messages">{BADGE % (1, 1)}' in response.content.decode()


LABEL = 'class="visually-hidden" data-label-many=" ulæste"'


@pytest.mark.parametrize(
    ("senders", "badge"),
    [
        # hidden at zero, the badge says what a live notice will make it: 1 unread;
        # it carries the plural for a live notice that counts past one.
        (0, f" hidden>{BADGE % (0, 0)}<span {LABEL}> ulæst<"),
        (1, f">{BADGE % (1, 1)}<span {LABEL}> ulæst<"),
        (2, f">{BADGE % (2, 2)}<span {LABEL}> ulæste<"),
    ],
)
def test_the_header_badge_says_unread_in_the_form_its_count_takes(
    karen_client, karen, lars, organiser, senders, badge
):
    for sender in [lars, organiser][:senders]:
        send(sender, services.direct_start(actor=sender, others=[karen]), "Hej")

    response = karen_client.get(
        reverse("messaging:inbox"), headers={"accept-language": "da"}
    )

    assert f'data-badge="messages"{badge}' in response.content.decode()


def test_organiser_creates_a_channel_from_the_channel_list(client, organiser, village):
    client.force_login(organiser)

    response = client.post(
        reverse("messaging:channels", args=[village.slug]),
        {"title": "Loppemarked", "topic": ""},
    )

    assert response.status_code == 302
    assert village.channels.filter(title="Loppemarked").exists()


def test_author_removes_a_message_with_a_form_post(karen_client, karen, general):
    message = send(karen, general, "Ups")

    karen_client.post(reverse("messaging:remove", args=[message.pk]))

    message.refresh_from_db()
    assert message.is_removed


def test_reactions_show_their_counts_and_which_are_mine(
    karen_client, karen, lars, general
):
    message = send(lars, general, "Sommerfest!")
    services.reaction_toggle(actor=lars, message=message, emoji="👍")
    services.reaction_toggle(actor=karen, message=message, emoji="❤️")
    services.reaction_toggle(actor=lars, message=message, emoji="❤️")

    html = karen_client.get(general.get_absolute_url()).content.decode()

    pressed = 'aria-pressed="true"><span class="emoji">❤️</span> <span>2</span>'
    assert pressed in html
    assert 'aria-pressed="false"><span class="emoji">👍</span> <span>1</span>' in html


def test_removed_member_gets_not_found_for_a_restricted_channel_she_was_in(
    karen_client, karen, organiser, village
):
    from communities.models import Membership
    from communities.services import membership_remove

    channel = services.channel_create(
        actor=organiser, community=village, title="Bestyrelsen", is_restricted=True
    )
    services.participant_add(actor=organiser, conversation=channel, user=karen)
    membership_remove(
        actor=organiser,
        membership=Membership.objects.get(user=karen, community=village),
    )

    page = karen_client.get(channel.get_absolute_url())
    post = karen_client.post(
        channel.get_absolute_url(), {"body": "Hej", "client_id": "late"}
    )

    assert (page.status_code, post.status_code) == (404, 404)
    assert not Message.objects.filter(conversation=channel).exists()


@pytest.fixture
def members_only(db):
    """A members-only community with an organiser and a member with a name."""
    from communities.models import Membership

    community = CommunityFactory(
        name="Grøn Plæne", slug="gron", kind="contractor", visibility="members"
    )
    MembershipFactory(
        community=community,
        role=Membership.Role.ORGANISER,
        user__display_name="Bo Græsted",
    )
    MembershipFactory(community=community, user__display_name="Mona Hemmelig")
    return community


def test_sharing_into_a_community_shows_only_its_name_until_it_accepts(
    client, organiser, village, members_only
):
    client.force_login(organiser)
    channel = services.channel_create(
        actor=organiser, community=village, title="Græs", is_restricted=True
    )

    saved = client.post(
        reverse("messaging:channel_settings", args=[channel.pk]),
        {
            "title": "Græs",
            "topic": "",
            "is_restricted": "on",
            "shared_with": [members_only.pk],
        },
    )
    page = client.get(
        reverse("messaging:channel_settings", args=[channel.pk]),
        headers={"accept-language": "en"},
    )

    html = page.content.decode()
    assert saved.status_code == 302
    assert channel.shares.get().state == "pending"
    assert "Grøn Plæne" in html
    assert "Waiting for their organisers" in html
    assert "Mona Hemmelig" not in html
    assert "Bo Græsted" not in html


def test_invited_community_organiser_accepts_on_its_channels_page(
    client, organiser, village, members_only
):
    from communities.models import Membership

    boss = Membership.objects.get(community=members_only, role="organiser").user
    mona = Membership.objects.get(community=members_only, role="member").user
    channel = services.channel_create(
        actor=organiser,
        community=village,
        title="Græsslåning",
        shared_with=[members_only],
    )
    share = channel.shares.get()
    client.force_login(boss)

    listed = client.get(
        reverse("messaging:channels", args=[members_only.slug]),
        headers={"accept-language": "en"},
    )
    answered = client.post(reverse("messaging:share_decide", args=[share.pk, "accept"]))

    share.refresh_from_db()
    assert "Græsslåning" in listed.content.decode()
    assert "Skovby" in listed.content.decode()
    assert answered.status_code == 302
    assert share.state == "accepted"
    client.force_login(mona)
    assert client.get(channel.get_absolute_url()).status_code == 200


def test_members_of_an_invited_community_cannot_open_the_channel_before_it_accepts(
    client, organiser, village, members_only
):
    from communities.models import Membership

    mona = Membership.objects.get(community=members_only, role="member").user
    channel = services.channel_create(
        actor=organiser, community=village, title="Græs", shared_with=[members_only]
    )
    client.force_login(mona)

    page = client.get(channel.get_absolute_url())
    listed = client.get(reverse("messaging:channels", args=[members_only.slug]))

    assert page.status_code == 404
    assert "Græs" not in listed.content.decode()


def test_a_member_cannot_answer_an_invitation_for_their_community(
    client, organiser, village, members_only
):
    from communities.models import Membership

    mona = Membership.objects.get(community=members_only, role="member").user
    channel = services.channel_create(
        actor=organiser, community=village, title="Græs", shared_with=[members_only]
    )
    share = channel.shares.get()
    client.force_login(mona)

    client.post(reverse("messaging:share_decide", args=[share.pk, "accept"]))

    share.refresh_from_db()
    assert share.state == "pending"


def test_a_removed_member_is_no_longer_listed_among_the_people_of_a_channel(
    client, karen, lars, organiser, village
):
    from communities.models import Membership
    from communities.services import membership_remove

    channel = services.channel_create(
        actor=organiser, community=village, title="Bestyrelsen", is_restricted=True
    )
    services.participant_add(actor=organiser, conversation=channel, user=karen)
    services.participant_add(actor=organiser, conversation=channel, user=lars)
    membership_remove(
        actor=organiser,
        membership=Membership.objects.get(user=karen, community=village),
    )
    client.force_login(lars)

    page = client.get(
        channel.get_absolute_url(), headers={"accept-language": "en"}
    ).content.decode()

    people = page.split("People here:", 1)[1].split("</p>", 1)[0]
    assert "Lars Holm" in people
    assert "Karen Jensen" not in people


# --- the conversation reads as a chat: days, groups, a menu per message --------

# Wednesday 5 March 2025, noon in Copenhagen.
NOW = datetime(2025, 3, 5, 11, 0, tzinfo=UTC)
ITEM = re.compile(
    r'<li class="(?P<kind>chat-message|day-separator)[^"]*"'
    r'(?: id="m-(?P<pk>\d+)")?[^>]*?(?P<continued> data-continued)?>'
    r'(?:<h3 class="day-label"><time datetime="(?P<day>[\d-]+)">(?P<label>[^<]*))?'
)


def _sent(author, conversation, body, at):
    message = send(author, conversation, body)
    Message.objects.filter(pk=message.pk).update(created_at=at)
    return message


def _timeline(html):
    """The page's history in order: ("day", its label) for a separator, and
    (message pk, "joins" or "starts") for a message."""
    history = html[html.index('id="message-list"') : html.index("</ol>")]
    rows = []
    for match in ITEM.finditer(history):
        if match["kind"] == "day-separator":
            rows.append(("day", match["label"]))
        else:
            rows.append((int(match["pk"]), "joins" if match["continued"] else "starts"))
    return rows


@pytest.fixture
def at_noon(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


def test_one_persons_messages_in_a_row_show_their_name_and_avatar_once(
    karen_client, karen, lars, general, at_noon
):
    first = _sent(lars, general, "Hvem har en trailer?", NOW - timedelta(minutes=9))
    second = _sent(lars, general, "Bare til lørdag.", NOW - timedelta(minutes=8))
    third = _sent(lars, general, "Jeg giver kage!", NOW - timedelta(minutes=4))
    answer = _sent(karen, general, "Du kan låne min.", NOW - timedelta(minutes=3))
    thanks = _sent(lars, general, "Tak!", NOW - timedelta(minutes=2))

    html = karen_client.get(general.get_absolute_url()).content.decode()

    assert _timeline(html) == [
        ("day", "I dag"),
        (first.pk, "starts"),
        (second.pk, "joins"),
        (third.pk, "joins"),
        (answer.pk, "starts"),
        (thanks.pk, "starts"),
    ]
    assert html.count('<span class="avatar avatar-') == 5
    assert f'class="chat-message is-mine" id="m-{answer.pk}"' in html


def test_a_message_after_a_pause_of_more_than_five_minutes_starts_a_new_group(
    karen_client, lars, general, at_noon
):
    first = _sent(lars, general, "Godmorgen", NOW - timedelta(minutes=20))
    later = _sent(lars, general, "Er der nogen?", NOW - timedelta(minutes=14))
    soon = _sent(lars, general, "Hallo?", NOW - timedelta(minutes=9))

    html = karen_client.get(general.get_absolute_url()).content.decode()

    assert _timeline(html)[1:] == [
        (first.pk, "starts"),
        (later.pk, "starts"),
        (soon.pk, "joins"),
    ]


def test_a_note_that_someone_was_added_ends_a_group(
    client, karen, lars, organiser, at_noon
):
    direct = services.direct_start(actor=karen, others=[lars])
    before = _sent(karen, direct, "Skal vi spørge Olga?", NOW - timedelta(minutes=3))
    services.participant_add(actor=karen, conversation=direct, user=organiser)
    after = _sent(karen, direct, "Velkommen, Olga!", NOW - timedelta(minutes=2))
    client.force_login(lars)

    html = client.get(direct.get_absolute_url()).content.decode()

    assert _timeline(html)[1:] == [(before.pk, "starts"), (after.pk, "starts")]
    assert html.index(f'id="m-{before.pk}"') < html.index('class="system-note')
    assert html.index('class="system-note') < html.index(f'id="m-{after.pk}"')


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("da", ["mandag 30. december 2024", "mandag 3. marts", "I går", "I dag"]),
        ("en", ["Monday 30 December 2024", "Monday 3 March", "Yesterday", "Today"]),
        ("nl", ["maandag 30 december 2024", "maandag 3 maart", "Gisteren", "Vandaag"]),
    ],
)
def test_a_day_separator_begins_each_day_in_the_readers_language(
    karen_client, karen, lars, general, at_noon, language, labels
):
    karen.preferred_language = language
    karen.save(update_fields=["preferred_language"])
    last_year = _sent(lars, general, "Nytår", datetime(2024, 12, 30, 9, tzinfo=UTC))
    monday = _sent(lars, general, "Husk mødet", datetime(2025, 3, 3, 18, tzinfo=UTC))
    # 23:30 on Tuesday in Copenhagen (already Wednesday further east)
    late = _sent(lars, general, "Godnat", datetime(2025, 3, 4, 22, 30, tzinfo=UTC))
    today = _sent(lars, general, "Godmorgen", NOW - timedelta(hours=1))

    html = karen_client.get(general.get_absolute_url()).content.decode()

    assert _timeline(html) == [
        ("day", labels[0]),
        (last_year.pk, "starts"),
        ("day", labels[1]),
        (monday.pk, "starts"),
        ("day", labels[2]),
        (late.pk, "starts"),
        ("day", labels[3]),
        (today.pk, "starts"),
    ]
    assert f'id="m-{late.pk}" data-id="{late.pk}"' in html
    assert 'data-day="2025-03-04"' in html
    # the separator a live message copies where it begins a day: today's
    assert (
        '<template id="day-separator"><li class="day-separator" data-day="2025-03-05">'
        f'<h3 class="day-label"><time datetime="2025-03-05">{labels[3]}</time>'
    ) in html


def test_each_messages_actions_are_a_menu_that_opens_without_javascript(
    karen_client, karen, lars, general
):
    message = send(lars, general, "Hej")

    html = karen_client.get(general.get_absolute_url()).content.decode()

    label = f'aria-labelledby="message-actions-label ma-{message.pk} mt-{message.pk}"'
    assert f'<summary class="message-menu-button" {label}>' in html
    # live.js shows the menu button instead; without it the button stays hidden
    assert (
        f'<button type="button" class="message-menu-button" id="mb-{message.pk}" '
        f'aria-haspopup="menu" aria-expanded="false" aria-controls="mm-{message.pk}" '
        f"{label} hidden>"
    ) in html
    assert '<span id="message-actions-label" hidden>' in html
    start = html.index(f'id="mm-{message.pk}"')
    menu = html[start : html.index("</details>", start)]
    assert menu.count('class="react-form"') == len(Reaction.Emoji.values)
    assert f'href="?reply={message.pk}#composer"' in menu
    assert f'action="/messages/m/{message.pk}/remove/"' in menu


def test_a_message_shows_its_authors_initials_in_a_colour_of_their_own(
    karen_client, karen, lars, general
):
    send(lars, general, "Hej")

    html = karen_client.get(general.get_absolute_url()).content.decode()

    colour = lars.pk % 8
    assert f'<span class="avatar avatar-{colour}" aria-hidden="true">LH</span>' in html
