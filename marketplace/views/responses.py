"""Answers to a listing and the agreements (matches) they lead to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.errors import ApplicationError
from hub.refusals import show_refusal

from .. import selectors, services, threads
from ..forms import DoneForm, ReopenForm, ReplyForm, RespondForm
from ..models import Match, Response
from .detail import detail_context, visible_listing_or_404


@login_required
@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a listing; a refused answer shows the listing with the form again."""
    listing = visible_listing_or_404(request, pk)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            services.response_create(
                responder=request.user,
                listing=listing,
                message=form.cleaned_data["message"],
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(
                request, _("Your answer is sent. You will hear back soon.")
            )
            return redirect(listing)
    context = detail_context(request, listing, respond_form=form)
    return render(request, "marketplace/detail.html", context, status=400)


@login_required
@require_POST
def response_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept or decline (the author), or withdraw (the responder) a response."""
    response = get_object_or_404(Response.objects.select_related("listing"), pk=pk)
    form = ReplyForm(request.POST)
    reply = form.cleaned_data["reply"] if form.is_valid() else ""
    try:
        if action == "accept":
            match = services.response_accept(
                actor=request.user, response=response, reply=reply
            )
            messages.success(
                request, _("Agreed! You can now see each other's details.")
            )
            return redirect(match)
        if action == "decline":
            services.response_decline(
                actor=request.user, response=response, reply=reply
            )
            messages.success(request, _("The answer is declined with a friendly note."))
        elif action == "withdraw":
            services.response_withdraw(actor=request.user, response=response)
            messages.success(request, _("Your answer is withdrawn."))
        else:
            raise Http404
    except ApplicationError as exc:
        show_refusal(request, exc)
    return redirect("marketplace:detail", pk=response.listing_id)


def _match_or_404(request: HttpRequest, pk: int) -> Match:
    match = selectors.match_for_viewer(viewer=request.user, pk=pk)
    if match is None:
        raise Http404
    return match


@login_required
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement: both sides, the exact address (recorded), the conversation."""
    match = _match_or_404(request, pk)
    location = services.match_reveal_address(viewer=request.user, match=match)
    standing = selectors.match_standing(viewer=request.user, match=match)
    context = {
        "match": match,
        "listing": match.listing,
        "location": location,
        "counterpart": standing.counterpart,
        "is_author": standing.is_author,
        "done_form": DoneForm(),
        "reopen_form": ReopenForm(),
        "thread_url": threads.thread_url(match),
    }
    response = render(request, "marketplace/match.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def match_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Mark an agreement done (with thanks), or re-open the listing it was for."""
    match = _match_or_404(request, pk)
    try:
        if action == "done":
            form = DoneForm(request.POST)
            thanks = form.cleaned_data["thanks"] if form.is_valid() else ""
            services.match_done(actor=request.user, match=match, thanks=thanks)
            messages.success(
                request, _("Marked as done. Thank you for helping each other!")
            )
        elif action == "reopen":
            form = ReopenForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.match_reopen(actor=request.user, match=match, reason=reason)
            messages.success(request, _("Your listing is open again."))
            return redirect(match.listing)
        else:
            raise Http404
    except ApplicationError as exc:
        show_refusal(request, exc)
    return redirect(match)
