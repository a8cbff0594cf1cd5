"""Thin adapters: validate input, call one service, render or redirect.

Sending works as a plain form post without JavaScript; live.js enhances the page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from communities.models import Community, Membership
from communities.selectors import (
    can_manage_members,
    can_view_community,
    user_memberships,
)
from hub.errors import ApplicationError
from hub.refusals import show_refusal

from . import selectors, services
from .forms import AddPersonForm, ChannelForm, EditForm, MessageForm, PeopleForm
from .models import ChannelShare, Conversation, Message, Reaction


def _readable(request: HttpRequest, pk: int) -> Conversation:
    conversation = get_object_or_404(
        Conversation.objects.select_related("community"), pk=pk
    )
    if not selectors.can_read(user=request.user, conversation=conversation):
        raise Http404
    return conversation


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Every conversation of the user with its unread count, and notifications."""
    conversations = list(selectors.conversations_with_unread(request.user)[:100])
    context = {
        "channels": [c for c in conversations if c.kind == Conversation.Kind.CHANNEL],
        "others": [c for c in conversations if c.kind != Conversation.Kind.CHANNEL],
        "notifications": selectors.notifications_for(request.user, limit=20),
        "communities": [
            m.community
            for m in user_memberships(request.user)
            if m.state == Membership.State.ACTIVE
        ],
    }
    return render(request, "messaging/inbox.html", context)


@login_required
def community_channels(request: HttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(Community, slug=slug)
    if not can_view_community(user=request.user, community=community):
        raise Http404
    services.channel_ensure_general(community=community)
    can_manage = can_manage_members(user=request.user, community=community)
    form = ChannelForm(request.POST or None, community=community)
    if can_manage and request.method == "POST" and form.is_valid():
        try:
            channel = services.channel_create(
                actor=request.user, community=community, **form.cleaned_data
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            return redirect(channel)
    context = {
        "community": community,
        "channels": selectors.community_channels(
            user=request.user, community=community
        ),
        "can_manage": can_manage,
        "form": form if can_manage else None,
        "invitations": (
            selectors.share_invitations_for(user=request.user, community=community)
            if can_manage
            else []
        ),
    }
    return render(request, "messaging/channels.html", context)


@login_required
@require_POST
def share_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """An organiser of the invited community accepts or declines sharing."""
    share = get_object_or_404(ChannelShare.objects.select_related("community"), pk=pk)
    if decision not in ("accept", "decline") or not can_manage_members(
        user=request.user, community=share.community
    ):
        raise Http404
    try:
        services.channel_share_decide(
            actor=request.user, share=share, accept=decision == "accept"
        )
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            _("The channel is now shared with your community.")
            if decision == "accept"
            else _("The invitation was declined."),
        )
    return redirect("messaging:channels", slug=share.community.slug)


@login_required
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    """The conversation page; a form post here sends a message."""
    conv = _readable(request, pk)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message, _created = services.message_send(
                author=request.user,
                conversation=conv,
                body=form.cleaned_data["body"],
                client_id=form.cleaned_data["client_id"],
                reply_to_id=form.cleaned_data["reply_to"],
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form, field="body")
        else:
            return redirect(f"{conv.get_absolute_url()}#m-{message.pk}")
    status = 400 if form.errors else 200
    context = _conversation_context(request, conv, form)
    return render(request, "messaging/conversation.html", context, status=status)


def _conversation_context(request, conv: Conversation, form: MessageForm) -> dict:
    recent = selectors.recent_messages(user=request.user, conversation=conv)
    # Also with no messages: the notice of being added is read here too.
    services.conversation_mark_read(
        user=request.user, conversation=conv, up_to_id=recent[-1].pk if recent else 0
    )
    reply_to = request.GET.get("reply")
    if reply_to and reply_to.isdigit() and not form.is_bound:
        form.initial["reply_to"] = int(reply_to)
    is_direct = conv.kind == Conversation.Kind.DIRECT
    return {
        "conversation": conv,
        "timeline": _timeline(conv, recent),
        "recent": recent,
        "form": form,
        "can_write": selectors.can_write(user=request.user, conversation=conv),
        "can_manage": selectors.can_manage_channel(
            user=request.user, conversation=conv
        ),
        "participants": (
            [p for p in selectors.participants_of(conv) if p.in_community]
            if conv.kind != Conversation.Kind.CHANNEL or conv.is_restricted
            else []
        ),
        "add_form": _add_form(request, conv) if is_direct else None,
        "emoji_choices": Reaction.Emoji.choices,
        "replying_to": (
            selectors.message_for_reply(
                user=request.user,
                conversation=conv,
                message_id=form.initial["reply_to"],
            )
            if form.initial.get("reply_to")
            else None
        ),
    }


def _timeline(conv: Conversation, recent: list[Message]) -> list[tuple[str, object]]:
    """The messages with a note where someone was added, in the order it
    happened. Notes older than the messages shown are left out, unless the
    page shows the conversation from its start."""
    notes = selectors.participants_added(conv)
    if not notes:
        return [("message", m) for m in recent]
    shows_start = len(recent) < selectors.RECENT_LIMIT
    first = recent[0].pk if recent else 0
    items: list[tuple[tuple[int, int], str, object]] = [
        ((m.pk, 0), "message", m) for m in recent
    ]
    for note in notes:
        if shows_start or note.joined_after_id >= first:
            items.append(((note.joined_after_id, 1), "note", note))
    return [(kind, item) for _key, kind, item in sorted(items, key=lambda i: i[0])]


def _add_form(request: HttpRequest, conv: Conversation, data=None) -> AddPersonForm:
    choices = selectors.people_addable_to(user=request.user, conversation=conv)
    return AddPersonForm(data, choices=choices, auto_id="add_%s")


def _own_message(request: HttpRequest, pk: int) -> Message:
    message = get_object_or_404(Message.objects.select_related("conversation"), pk=pk)
    _readable(request, message.conversation_id)
    return message


@login_required
def message_edit(request: HttpRequest, pk: int) -> HttpResponse:
    message = _own_message(request, pk)
    form = EditForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.message_edit(
                actor=request.user, message=message, body=form.cleaned_data["body"]
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form, field="body")
        else:
            return redirect(f"{message.conversation.get_absolute_url()}#m-{pk}")
    return render(request, "messaging/edit.html", {"form": form, "message": message})


@login_required
@require_POST
def message_remove(request: HttpRequest, pk: int) -> HttpResponse:
    message = _own_message(request, pk)
    try:
        services.message_remove(actor=request.user, message=message)
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Your message was removed."))
    return redirect(f"{message.conversation.get_absolute_url()}#m-{pk}")


@login_required
@require_POST
def message_react(request: HttpRequest, pk: int) -> HttpResponse:
    message = _own_message(request, pk)
    try:
        services.reaction_toggle(
            actor=request.user, message=message, emoji=request.POST.get("emoji", "")
        )
    except ApplicationError as exc:
        show_refusal(request, exc)
    return redirect(f"{message.conversation.get_absolute_url()}#m-{pk}")


@login_required
def direct_new(request: HttpRequest) -> HttpResponse:
    """Start (or find) a direct conversation with people one shares a community
    with."""
    choices = selectors.people_reachable_by(request.user)
    initial = {}
    if (to := request.GET.get("to", "")).isdigit():
        initial["people"] = [int(to)]
    form = PeopleForm(request.POST or None, choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            conv = services.direct_start(
                actor=request.user, others=form.cleaned_data["people"]
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            return redirect(conv)
    return render(request, "messaging/direct_new.html", {"form": form})


@login_required
def channel_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Organisers rename, restrict, share and archive a channel, and add or
    remove the people of a restricted channel."""
    conv = _readable(request, pk)
    if not selectors.can_manage_channel(user=request.user, conversation=conv):
        raise Http404
    shares = selectors.channel_shares(conv)
    initial = {
        "title": conv.title,
        "topic": conv.topic,
        "is_restricted": conv.is_restricted,
        "shared_with": [
            share.community
            for share in shares
            if share.state != ChannelShare.State.DECLINED
        ],
    }
    form = ChannelForm(request.POST or None, community=conv.community, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_update(
                actor=request.user, conversation=conv, **form.cleaned_data
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(request, _("The channel was saved."))
            return redirect("messaging:channel_settings", pk=pk)
    context = {
        "conversation": conv,
        "form": form,
        "participants": selectors.participants_of(conv),
        "add_form": AddPersonForm(
            choices=selectors.channel_candidates(conversation=conv)
        ),
        "shares": shares,
    }
    return render(request, "messaging/channel_settings.html", context)


@login_required
@require_POST
def channel_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    conv = _readable(request, pk)
    try:
        if action in ("archive", "restore"):
            services.channel_archive(
                actor=request.user, conversation=conv, archived=action == "archive"
            )
        elif action == "remove":
            person = get_object_or_404(User, pk=request.POST.get("user"))
            services.participant_remove(
                actor=request.user, conversation=conv, user=person
            )
        else:
            raise Http404
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Done."))
    if action == "remove" and request.POST.get("user") == str(request.user.pk):
        return redirect("messaging:inbox")
    return redirect("messaging:channel_settings", pk=pk)


@login_required
@require_POST
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add someone to a direct conversation (a participant) or a channel (its
    organisers), with a deliberate choice of what history they read."""
    conv = _readable(request, pk)
    if conv.kind == Conversation.Kind.CHANNEL:
        choices = selectors.channel_candidates(conversation=conv)
        form = AddPersonForm(request.POST, choices=choices)
        back = reverse("messaging:channel_settings", args=[pk])
    else:
        form = _add_form(request, conv, request.POST)
        back = conv.get_absolute_url()
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(back)
    try:
        services.participant_add(
            actor=request.user,
            conversation=conv,
            user=form.cleaned_data["user"],
            share_history=form.cleaned_data["share_history"],
        )
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            _("%(name)s was added.") % {"name": form.cleaned_data["user"].public_name},
        )
    return redirect(back)
