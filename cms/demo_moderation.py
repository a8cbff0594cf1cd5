"""Demo moderation: real work waiting for the organisers and the municipality.

Skovby's organiser finds an advertisement reported twice in the village channel,
and a message that Skovby's own word list sent to review (it hides nothing).
The municipal moderator finds a message reported as illegal (escalated at once),
a threatening direct message, and a case that was decided by Skovby IF's
organiser, appealed by its author and reversed by the municipality. Everything
goes through the services, so the cases, statements and audit log are the ones a
real day leaves; running the seeder again adds nothing.
"""

import logging
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from communities.models import Community
from messaging import services as messaging
from messaging.models import Conversation, Message
from moderation import services
from moderation.models import Case, Decision, WordList
from moderation.services import AppealInput, DecisionInput, ReportInput

logger = logging.getLogger(__name__)


def _message(author: User, conversation: Conversation, body: str, key: str) -> Message:
    message, _created = messaging.message_send(
        author=author, conversation=conversation, body=body, client_id=key
    )
    return message


def _reported(message: Message) -> bool:
    return Case.objects.filter(kind="message", object_id=str(message.pk)).exists()


def _report(reporter: User, message: Message, data: ReportInput, hours_ago: float):
    services.report_submit(reporter=reporter, kind="message", pk=message.pk, data=data)
    Case.objects.filter(kind="message", object_id=str(message.pk)).update(
        opened_at=timezone.now() - timedelta(hours=hours_ago)
    )


def _advert(people: dict[str, User], village: Community) -> None:
    channel = messaging.channel_ensure_general(community=village)
    advert = _message(
        people["bente"],
        channel,
        "Kæmpe udsalg! Solbriller med 90 % rabat på www.solbrille-udsalg.example "
        "- skriv til mig, så sender jeg et link til alle jeres venner.",
        "demo-moderation-advert",
    )
    if _reported(advert):
        return
    spam = ReportInput(reason="spam", details="Reklame, og den står i flere kanaler.")
    _report(people["karen"], advert, spam, hours_ago=5)
    _report(people["hanne"], advert, ReportInput(reason="spam"), hours_ago=5)


def _illegal(people: dict[str, User], village: Community) -> None:
    channel = messaging.channel_ensure_general(community=village)
    offer = _message(
        people["ole"],
        channel,
        "Har nogen brug for fyrværkeri til nytår? Jeg har kasser fra Polen, "
        "ingen papirer, kun kontant.",
        "demo-moderation-fireworks",
    )
    if _reported(offer):
        return
    _report(
        people["jens"],
        offer,
        ReportInput(
            reason="illegal",
            legal_ground="Salg af fyrværkeri uden godkendelse til private "
            "(fyrværkeriloven).",
        ),
        hours_ago=2,
    )


def _threat(people: dict[str, User]) -> None:
    conversation = messaging.direct_start(actor=people["poul"], others=[people["ida"]])
    threat = _message(
        people["poul"],
        conversation,
        "Du skal ikke tro, du slipper, hvis du klager over min hæk igen.",
        "demo-moderation-threat",
    )
    if _reported(threat):
        return
    _report(
        people["ida"],
        threat,
        ReportInput(reason="harassment", details="Han står også ved min dør."),
        hours_ago=20,
    )


def _appealed(people: dict[str, User], club: Community, moderator: User) -> None:
    channel = messaging.channel_ensure_general(community=club)
    remark = _message(
        people["rasmus"],
        channel,
        "Dommeren i går var en blind klovn. Han burde finde sig et andet job.",
        "demo-moderation-referee",
    )
    if _reported(remark):
        return
    _report(
        people["jonas"],
        remark,
        ReportInput(reason="harassment", details="Dommeren er min nabo."),
        hours_ago=30,
    )
    case = Case.objects.get(kind="message", object_id=str(remark.pk))
    hidden = services.case_decide(
        moderator=people["lars"],
        case=case,
        data=DecisionInput(
            action=Decision.Action.HIDE,
            ground=Decision.Ground.HOUSE_RULES,
            rule="Husregel 1: Vi taler pænt om hinanden, også om dommerne.",
            facts="Beskeden kalder dommeren en blind klovn.",
        ),
    )
    appeal = services.appeal_submit(
        appellant=people["rasmus"],
        decision=hidden,
        grounds="Det var en kommentar til dommerens præstation, ikke til ham "
        "som person. Jeg har ikke nævnt hans navn.",
    )
    services.appeal_decide(
        moderator=moderator,
        appeal=appeal,
        data=AppealInput(
            upheld=True,
            facts="Skarp kritik af en dommerpræstation uden navn; ingen person "
            "krænkes. Beskeden vises igen.",
        ),
    )


def _screened(people: dict[str, User], village: Community) -> None:
    """Skovby's own screening list, and a message it sent to review."""
    if not WordList.objects.filter(space=village).exists():
        services.word_list_update(
            actor=people["lars"],
            space=village,
            words="kasino\nbetting\nlån uden sikkerhed",
        )
    channel = messaging.channel_ensure_general(community=village)
    _message(
        people["jonas"],
        channel,
        "Hvem vil med til kasino-aften i Vejle på fredag? Vi kører fra kirken kl. 18.",
        "demo-moderation-screened",
    )


def seed_moderation(context: dict) -> None:
    """The demo seeder: called by cms.demo after the conversations."""
    communities: dict[str, Community] = context["communities"]
    people: dict[str, User] = context["people"]
    _advert(people, communities["skovby"])
    _screened(people, communities["skovby"])
    _illegal(people, communities["havrum"])
    _threat(people)
    _appealed(people, communities["skovby-if"], context["moderator"])
    logger.info("Demo moderation: %d cases", Case.objects.count())
