"""Demo conversations: a few days of talk in every demo community's general
channel, a channel Skovby IF shares with its contractor Grøn Plæne ApS (invited
and accepted), and direct messages between residents. Safe to run again: every
message has a fixed client id, so a second run finds the first run's messages."""

import logging
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership

from . import services
from .models import ChannelShare, Conversation, Message

logger = logging.getLogger(__name__)

# (key, who: the n-th member, minutes after the first message, text): a few
# short exchanges, some people writing twice in a row, as they do in a chat.
VILLAGE_TALK = [
    (
        "0",
        0,
        0,
        "Godmorgen! Er der nogen, der har set en sort kat med hvid pote ved kirken?",
    ),
    ("0b", 0, 2, "Den har et rødt halsbånd og er lidt sky."),
    (
        "1",
        1,
        25,
        "Ja, den sad hos os i carporten i går aftes. Jeg tror, den hører til i nr. 12.",
    ),
    ("1b", 0, 31, "Tak! Jeg banker på hos dem."),
    (
        "2",
        2,
        660,
        "Husk fællesspisning i forsamlingshuset på torsdag kl. 18. Tilmelding på https://example.org/spisning",
    ),
    ("3", 3, 674, "Vi tager to gryder lasagne med 🙂"),
    ("3b", 3, 675, "Og en stor skål salat."),
    ("4", 4, 1320, "Vejen ved gadekæret er glat i morges, kør forsigtigt."),
    ("5", 5, 1360, "Tak for info! Kommunen har lovet at salte i eftermiddag."),
    ("6", 6, 1980, "Nogen der kan låne mig en trailer på lørdag?"),
    (
        "7",
        1,
        1992,
        "Du kan låne min, den står i indkørslen, bare tag nøglen i postkassen.",
    ),
    ("7b", 6, 1994, "Super, tusind tak!"),
]
ASSOCIATION_TALK = [
    "Velkommen til alle nye medlemmer i denne sæson!",
    "Træningen på tirsdag er flyttet til kl. 17.30 pga. vedligehold af banen.",
    "Kan vi få flere frivillige til kiosken til hjemmekampen på søndag?",
    "Jeg tager første vagt fra 10 til 12.",
    "Referat fra bestyrelsesmødet ligger på hjemmesiden.",
]
CONTRACTOR_TALK = [
    ("club", "Hej Grøn Plæne, kan I slå opvisningsbanen inden kampen lørdag?"),
    ("contractor", "Det kan vi godt. Vi kommer fredag formiddag, hvis vejret holder."),
    (
        "club",
        "Perfekt. Husk at hegnet ved bane 2 står åbent, nøglen hænger i klubhuset.",
    ),
    ("contractor", "Noteret. Vi kridter også straffesparksfeltet op, når vi er der."),
    ("contractor", "Banen er slået og kridtet. God kamp i morgen!"),
    ("club", "Tusind tak, den ser flot ud 👍"),
]
DIRECT_TALK = [
    ("lars", "karen", "Hej Karen, har du stadig den stige, du nævnte i sidste uge?"),
    ("karen", "lars", "Ja, du må gerne låne den. Den står bag skuret."),
    ("lars", "karen", "Tak! Jeg henter den i aften og sætter den tilbage i weekenden."),
    ("mette", "jens", "Kommer du til borgermødet om den nye cykelsti?"),
    ("jens", "mette", "Det gør jeg. Skal vi køre sammen?"),
]


def _say(author: User, conversation: Conversation, body: str, key: str, ago: timedelta):
    message, created = services.message_send(
        author=author, conversation=conversation, body=body, client_id=key
    )
    if created:
        when = timezone.now() - ago
        Message.objects.filter(pk=message.pk).update(created_at=when)
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=when)
    return message


def _members(community: Community) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            community=community, state=Membership.State.ACTIVE
        )
        .select_related("user")
        .order_by("-role", "user__email")
    ]


def _general_talk(community: Community) -> None:
    people = _members(community)
    if not people:
        return
    channel = services.channel_ensure_general(community=community)
    if community.kind == Community.Kind.VILLAGE:
        lines = VILLAGE_TALK
    elif community.kind == Community.Kind.CONTRACTOR:
        lines = [
            ("0", 0, 0, "Ugeplan: mandag Skovby IF, tirsdag Havrum, onsdag Lindå.")
        ]
    else:
        lines = [(str(n), n, 660 * n, body) for n, body in enumerate(ASSOCIATION_TALK)]
    for key, who, minutes, body in lines:
        ago = timedelta(days=4) - timedelta(minutes=minutes)
        author = people[who % len(people)]
        _say(author, channel, body, f"demo-{community.slug}-{key}", ago)


def _organisers(community: Community) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            community=community,
            state=Membership.State.ACTIVE,
            role=Membership.Role.ORGANISER,
        )
        .select_related("user")
        .order_by("user__email")
    ]


def _shared_channel(club: Community, contractor: Community) -> None:
    """The club invites its contractor into a channel and the contractor's
    organiser accepts, as they would in the app."""
    organisers = _organisers(club)
    answerers = _organisers(contractor)
    staff = _members(contractor)
    if not organisers or not answerers or not staff:
        return
    channel = Conversation.objects.filter(
        community=club, shares__community=contractor
    ).first() or services.channel_create(
        actor=organisers[0],
        community=club,
        title="Græsslåning og baner",
        topic="Aftaler med Grøn Plæne ApS om klubbens baner",
        shared_with=[contractor],
    )
    share = ChannelShare.objects.get(channel=channel, community=contractor)
    if share.state == ChannelShare.State.PENDING:
        services.channel_share_decide(actor=answerers[0], share=share, accept=True)
    for n, (side, body) in enumerate(CONTRACTOR_TALK):
        author = organisers[0] if side == "club" else staff[0]
        ago = timedelta(days=3) - timedelta(hours=9 * n)
        _say(author, channel, body, f"demo-shared-{n}", ago)


def _direct_talk(people: dict[str, User]) -> None:
    for n, (sender, receiver, body) in enumerate(DIRECT_TALK):
        if sender not in people or receiver not in people:
            continue
        conversation = services.direct_start(
            actor=people[sender], others=[people[receiver]]
        )
        ago = timedelta(days=1) - timedelta(hours=3 * n)
        _say(people[sender], conversation, body, f"demo-dm-{n}", ago)


def seed_messaging(context: dict) -> None:
    """The demo seeder: called by cms.demo with its communities and people."""
    communities: dict[str, Community] = context["communities"]
    for community in communities.values():
        _general_talk(community)
    if "skovby-if" in communities and "gron-plaene" in communities:
        _shared_channel(communities["skovby-if"], communities["gron-plaene"])
    _direct_talk(context["people"])
    logger.info("Demo conversations: %d messages", Message.objects.count())
