"""The first texts of the platform's own pages, which municipal staff then edit.

``hub_ensure`` writes them once, in the language active when it runs (Danish on
the platform's default settings), so every sentence here is a translatable string
and never HTML: the markup is added around it. They describe the platform as it is
shipped; the municipality's data protection officer and web team should read them
through before a pilot opens, and change what differs where they run it (their IT
supplier, how long they keep things, how soon they answer).

Nothing here names a contact address or a date: the pages show the municipality's
contact details from its settings and their dates from their own fields, so the
texts do not go stale when those change.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

DIGST_COMPLAINTS_URL = "https://www.was.digst.dk"
DATATILSYNET_URL = "https://www.datatilsynet.dk"
WCAG_URL = "https://www.w3.org/TR/WCAG21/"
# django.contrib.messages' cookie storage (the default storage falls back to it).
MESSAGES_COOKIE_NAME = "messages"

Block = tuple[str, str]


@dataclass(frozen=True)
class DefaultPage:
    role: str
    title: str
    slug: str
    intro: str
    body: list[Block]


def _html(text: str, **values: object) -> SafeString:
    """``text`` escaped, with ``%(name)s`` placeholders filled by ``values``
    (escaped unless already safe HTML, such as a link)."""
    filled = {key: conditional_escape(value) for key, value in values.items()}
    return mark_safe(conditional_escape(text) % filled)  # noqa: S308 (all escaped)


def _p(text: str, **values: object) -> Block:
    return ("paragraph", format_html("<p>{}</p>", _html(text, **values)))


def _list(*items: str | SafeString) -> Block:
    """A bulleted list; plain items are escaped, ``_html`` ones kept."""
    rows = "".join(format_html("<li>{}</li>", item) for item in items)
    return ("paragraph", f"<ul>{rows}</ul>")


def _numbered(*items: str | SafeString) -> Block:
    """A numbered list, for rules a decision cites by number."""
    rows = "".join(format_html("<li>{}</li>", item) for item in items)
    return ("paragraph", f"<ol>{rows}</ol>")


def _bold(text: str) -> SafeString:
    return format_html("<b>{}</b>", text)


def _h(text: str) -> Block:
    return ("heading", text)


def _link(url: str, label: str) -> SafeString:
    return format_html('<a href="{}">{}</a>', url, label)


def _slug(text: str) -> str:
    """A page address from a translated word: Danish and Norwegian letters as
    they are written without them (æ ae, ø oe, å aa), the rest as Django does."""
    for letter, written in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.lower().replace(letter, written)
    return slugify(text)


def accessibility(*, municipality: str, contact_url: str) -> DefaultPage:
    """The accessibility statement, in the order of the EU's model statement
    (Commission Implementing Decision (EU) 2018/1523)."""
    contact = _link(contact_url, _("the contact page"))
    return DefaultPage(
        role="accessibility",
        title=_("Accessibility statement"),
        slug=_slug(pgettext("address of a page", "accessibility")),
        intro=_(
            "How well you can use Nabolag with a screen reader, a keyboard, "
            "a magnifier or a small screen, and what to do when something is in "
            "your way."
        ),
        body=[
            _p(
                _(
                    "%(municipality)s wants everyone to be able to use Nabolag, as the "
                    "Danish act on the accessibility of public sector bodies' websites "
                    "and mobile applications requires (it carries out the EU Web "
                    "Accessibility Directive 2016/2102). This statement covers "
                    "Nabolag: the municipality's hub and every village and association "
                    "portal on it."
                ),
                municipality=municipality,
            ),
            _h(_("How accessible Nabolag is")),
            _p(
                _(
                    "Nabolag partly meets %(wcag)s, level AA, and the European "
                    "standard EN 301 549. What does not yet meet them is listed below."
                ),
                wcag=_link(WCAG_URL, _("the Web Content Accessibility Guidelines 2.1")),
            ),
            _h(_("What is not accessible")),
            _p(_("Not in line with the requirements:")),
            _list(
                _(
                    "Maps are pictures of streets and places. A screen reader cannot "
                    "read them and they are hard to use with a keyboard (WCAG 1.1.1 "
                    "and 2.1.1). What a map shows is also written as text on the "
                    "same page."
                ),
            ),
            _p(_("Not covered by the requirements:")),
            _list(
                _(
                    "What residents, villages and associations write and upload "
                    "themselves: messages, listings, pictures and documents. The "
                    "municipality neither makes nor pays for this content. We ask "
                    "everyone to describe their pictures and to upload documents "
                    "that can be read with a screen reader, but we cannot check it "
                    "all."
                ),
            ),
            _p(
                _(
                    "We have not claimed that fixing anything would be a "
                    "disproportionate burden."
                )
            ),
            _h(_("How this statement was made")),
            _p(
                _(
                    "The municipality assessed Nabolag itself. Each time the platform "
                    "is tested, every page is checked automatically with axe-core and "
                    "with the W3C HTML checker (Nu Html Checker). We also check the "
                    "pages by hand: with the keyboard alone, with a screen reader, "
                    "zoomed to 200 per cent and on a screen 320 pixels wide. The dates "
                    "it was made and last reviewed are at the bottom of this page."
                )
            ),
            _h(_("Tell us what is in your way")),
            _p(
                _(
                    "If something on Nabolag does not work for you, or you need "
                    "something in another form, write to us through %(contact)s. Tell "
                    "us the page and what you tried to do. We answer as soon as we can."
                ),
                contact=contact,
            ),
            _h(_("If you are not satisfied with our answer")),
            _p(
                _(
                    "You can complain to the Agency for Digital Government "
                    "(Digitaliseringsstyrelsen), which supervises the accessibility of "
                    "public websites in Denmark, through its web form at %(digst)s."
                ),
                digst=_link(DIGST_COMPLAINTS_URL, "was.digst.dk"),
            ),
        ],
    )


def privacy(*, municipality: str) -> DefaultPage:
    """The privacy notice: what the GDPR's article 13 says a person must be told
    when data is collected from her."""
    return DefaultPage(
        role="privacy",
        title=_("Privacy notice"),
        slug=_slug(pgettext("address of a page", "privacy")),
        intro=_(
            "What Nabolag keeps about you, why, who sees it, how long we keep it, "
            "and your rights."
        ),
        body=[
            _p(
                _(
                    "%(municipality)s is the data controller for what Nabolag keeps "
                    "about you. You find the municipality's address and how to reach "
                    "its data protection officer above."
                ),
                municipality=municipality,
            ),
            _h(_("What we keep, why, and on what legal basis")),
            _p(
                _(
                    "The municipality runs Nabolag as a task in the public interest: "
                    "helping residents, villages and associations to find each other "
                    "and help each other. That is our legal basis for everything "
                    "below (GDPR article 6(1)(e)), unless it says otherwise."
                )
            ),
            _list(
                _(
                    "Your account: your e-mail address, the name you show, your "
                    "password (only as a scrambled value we cannot read back), your "
                    "language, your home village and what you write about yourself. "
                    "We use it to let you log in, to show who wrote what, and to "
                    "send you e-mails you ask for."
                ),
                _(
                    "Your memberships: which villages and associations you are a "
                    "member of, with your role there. Members and organisers of "
                    "the same portal see them. If an association's purpose is, for "
                    "example, religious or political, your membership can say "
                    "something sensitive about you: we only keep it because you "
                    "chose to join (article 9(2)(a)), and you can leave at any time."
                ),
                _(
                    "Your listings (asking for and offering help, lending, giving "
                    "away): what you write, and where. Others only see a rounded "
                    "place, never your address: the exact place is shown only to "
                    "the person whose answer you accept."
                ),
                _(
                    "Your messages: what you write in conversations, and when you "
                    "have read them. Only the people in the conversation see them. "
                    "Moderators read a message only when someone reports it."
                ),
                _(
                    "Your pictures: photos you add to listings, and pictures "
                    "editors add to a portal. Everyone who can see the listing or "
                    "the page sees them. Only add pictures of other people if they "
                    "agree."
                ),
                _(
                    "What we need to keep Nabolag safe: reports, moderators' "
                    "decisions and a log of what was done, so a decision can be "
                    "explained and appealed."
                ),
            ),
            _h(_("Who sees your data")),
            _list(
                _(
                    "Other residents see what you publish: your name, your "
                    "listings, and your messages in the conversations they are in."
                ),
                _(
                    "The organisers of a village or association see who asks to "
                    "join it and who its members are."
                ),
                _(
                    "The municipality's moderators, when they handle a report or "
                    "an appeal."
                ),
                _(
                    "The companies that host Nabolag and send its e-mails for the "
                    "municipality, as data processors under an agreement with it. "
                    "They may not use your data for anything else."
                ),
                _(
                    "Maps are loaded from OpenStreetMap's map servers, which see "
                    "your internet address, as any website you visit does."
                ),
            ),
            _p(_("We do not sell your data, and we do not show advertising.")),
            _h(_("How long we keep it")),
            _list(
                _(
                    "Your account and what you have written: as long as you have "
                    "an account. If you want it closed, write to us: we then delete "
                    "your account and what you wrote, unless the law requires us to "
                    "keep it."
                ),
                _html(
                    _(
                        "Listings end after %(days)s days unless you renew them, and "
                        "you can withdraw them yourself at any time."
                    ),
                    days=settings.NABOLAG_LISTING_DEFAULT_DAYS,
                ),
                _(
                    "Reports and moderation decisions: as long as they can be "
                    "appealed, or as long as the law requires."
                ),
            ),
            _h(_("Cookies")),
            _p(
                _(
                    "Nabolag uses no cookies for tracking, statistics or "
                    "advertising, so it does not ask for your consent to cookies. "
                    "It sets only the cookies it needs to work:"
                )
            ),
            _list(
                _html(
                    _("%(name)s keeps you logged in."),
                    name=_bold(settings.SESSION_COOKIE_NAME),
                ),
                _html(
                    _("%(name)s protects the forms you send against forgery."),
                    name=_bold(settings.CSRF_COOKIE_NAME),
                ),
                _html(
                    _("%(name)s remembers the language you chose."),
                    name=_bold(settings.LANGUAGE_COOKIE_NAME),
                ),
                _html(
                    _(
                        "%(name)s carries a short notice (such as “Your profile has "
                        "been saved”) on to the next page, and is deleted when shown."
                    ),
                    name=_bold(MESSAGES_COOKIE_NAME),
                ),
            ),
            _h(_("Your rights")),
            _p(
                _(
                    "You have the right to see what we keep about you, to have it "
                    "corrected, to have it deleted, to have its use restricted and to "
                    "object to it (GDPR articles 15 to 18 and 21). Write to the "
                    "municipality or its data protection officer; we answer within a "
                    "month."
                )
            ),
            _p(
                _(
                    "You can complain to the Danish Data Protection Agency "
                    "(Datatilsynet) at %(datatilsynet)s."
                ),
                datatilsynet=_link(DATATILSYNET_URL, "datatilsynet.dk"),
            ),
        ],
    )


def contact(*, municipality: str) -> DefaultPage:
    return DefaultPage(
        role="contact",
        title=_("Contact"),
        slug=_slug(pgettext("address of a page", "contact")),
        intro=_("How to reach the municipality's moderators."),
        body=[
            _p(
                _(
                    "Write to %(municipality)s if you need help with Nabolag, want to "
                    "tell us about something that breaks the rules, or have a question "
                    "about your data or about accessibility. The municipality's "
                    "moderators read what you send."
                ),
                municipality=municipality,
            ),
            _p(
                _(
                    "Questions about a village or an association go to its organisers: "
                    "you find them on its portal."
                )
            ),
        ],
    )


def about(*, municipality: str) -> DefaultPage:
    return DefaultPage(
        role="about",
        title=_("Who runs Nabolag"),
        slug=_slug(pgettext("address of a page", "about")),
        intro=_("Nabolag is %(municipality)s's community platform for its residents.")
        % {"municipality": municipality},
        body=[
            _h(_("The municipality hosts and moderates")),
            _p(
                _(
                    "%(municipality)s runs Nabolag for its residents, villages and "
                    "associations. The municipality looks after the platform, its "
                    "security and its rules. Its moderators create the portals, handle "
                    "reports, and can hide what breaks the rules and explain why."
                ),
                municipality=municipality,
            ),
            _h(_("Villages and associations run their own portals")),
            _p(
                _(
                    "Each village and association runs its own portal: its organisers "
                    "publish its news and events, decide who may join and answer for "
                    "what they publish. The municipality does not stand in the middle "
                    "of their conversations."
                )
            ),
            _h(_("Residents")),
            _p(
                _(
                    "What you write is yours: you decide what you share, and you can "
                    "change or remove it. Be kind, and help each other."
                )
            ),
        ],
    )


def rules(*, municipality: str) -> DefaultPage:
    """The rules for everyone, which a moderator's decision cites by number, and
    how moderation works (the Digital Services Act's articles 14, 16, 17 and 20:
    terms that say what is moderated and how, notice and action, a statement of
    reasons, and an appeal)."""
    return DefaultPage(
        role="rules",
        title=_("Rules for everyone"),
        slug=_slug(pgettext("address of a page", "rules")),
        intro=_(
            "What we ask of everyone on Nabolag, and what happens when someone "
            "breaks the rules."
        ),
        body=[
            _p(
                _(
                    "These rules apply everywhere on Nabolag: on the municipality's "
                    "hub and on every village and association portal, in messages, "
                    "listings, pictures and profiles. A village or an association "
                    "can add house rules of its own for its space, which you accept "
                    "when you join it. A moderator's decision always names the rule "
                    "it enforces."
                )
            ),
            _h(_("The rules")),
            _numbered(
                _(
                    "Be kind and respectful. Disagree with what people say, never "
                    "with who they are."
                ),
                _(
                    "No harassment, threats or hate. Do not bully or threaten "
                    "anyone, and do not attack people for their origin, religion, "
                    "gender, sexuality, disability or age."
                ),
                _(
                    "No spam. No advertising or chain messages in a space that does "
                    "not allow them, and do not post the same thing in many places."
                ),
                _(
                    "Respect other people's privacy. Do not post anyone's address, "
                    "phone number or pictures of them without their consent."
                ),
                _(
                    "Nothing illegal. Do not post, offer or ask for anything the law "
                    "forbids."
                ),
                _(
                    "Stay on topic in a space, and follow its house rules. What a "
                    "village or an association asks of its members applies there."
                ),
            ),
            _h(_("How moderation works")),
            _list(
                _(
                    "Anyone can report a message, a listing, a picture or a profile "
                    "that breaks the rules, with the “Report” link next to it."
                ),
                _(
                    "The organisers of a village or an association decide on "
                    "reports about their own space, under its house rules."
                ),
                _html(
                    _(
                        "%(municipality)s's moderators decide on everything else, "
                        "and on anything that may be illegal, wherever it is."
                    ),
                    municipality=municipality,
                ),
                _(
                    "Nothing is deleted: what breaks the rules is hidden, and the "
                    "person who posted it is told which rule it broke and why, in "
                    "a statement of reasons."
                ),
                _(
                    "Depending on how serious it is and whether it has happened "
                    "before, a moderator can give a warning, silence someone for a "
                    "while (they can still read, but not write), remove them from a "
                    "space or suspend their account."
                ),
                _(
                    "You can appeal a decision within six months, whether you "
                    "posted what was decided on or reported it. A different "
                    "moderator from the one who decided looks at it again; an "
                    "organiser's decision goes to the municipality's moderators."
                ),
            ),
        ],
    )


def platform_pages(*, municipality: str, contact_url: str) -> list[DefaultPage]:
    """The five pages, in the order the footer lists them."""
    return [
        about(municipality=municipality),
        rules(municipality=municipality),
        contact(municipality=municipality),
        privacy(municipality=municipality),
        accessibility(municipality=municipality, contact_url=contact_url),
    ]
