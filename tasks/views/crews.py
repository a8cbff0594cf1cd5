"""A contractor's crews: the page that lists them with their members and feed
addresses and makes a new one, a crew's own form page, the confirm steps to
remove a crew or give its feed a new address, and the feed itself.

The pages are for the contractor's organisers; anyone else gets 404 (the
services refuse them too). Each post calls one service; a refusal shows the
form again with the reason beside its field and what was typed kept.
The feed (``crew_feed``) needs no login: its address is the secret.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from agenda.views.feeds import ics_response
from communities.models import Community
from hub.errors import ApplicationError
from hub.refusals import show_refusal

from .. import crew_selectors as reads
from .. import feeds
from ..crew_forms import CrewForm
from ..manage_forms import refuse
from ..models import Crew
from ..services import agreements as services

GET_POST = require_http_methods(["GET", "POST"])


def _crews_url(crew: Crew) -> str:
    url = reverse("tasks:crews", args=[crew.contractor.slug])
    return f"{url}#crew-{crew.pk}"


def _crew_or_404(request: HttpRequest, pk: int) -> Crew:
    crew = reads.managed_crew(request.user, pk)
    if crew is None:
        raise Http404
    return crew


def _addresses(request: HttpRequest, crew: Crew) -> dict:
    """The https:// and webcal:// addresses of the crew's feed."""
    path = reverse("tasks:crew_feed", args=[crew.feed_token])
    https = request.build_absolute_uri(path)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def _list_page(
    request: HttpRequest, contractor: Community, form: CrewForm, status: int = 200
) -> HttpResponse:
    crews = reads.contractor_crews(contractor)
    for crew in crews:
        crew.addresses = _addresses(request, crew)
    context = {"contractor": contractor, "crews": crews, "form": form}
    return render(request, "tasks/crew_list.html", context, status=status)


@login_required
@GET_POST
def crew_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The contractor's crews; a post makes a new one."""
    contractor = reads.managed_contractor(request.user, slug)
    if contractor is None:
        raise Http404
    if request.method != "POST":
        return _list_page(request, contractor, CrewForm(contractor_id=contractor.pk))
    form = CrewForm(request.POST, contractor_id=contractor.pk)
    if not form.is_valid():
        return _list_page(request, contractor, form, status=400)
    try:
        crew = services.crew_create(
            actor=request.user,
            contractor=contractor,
            name=form.cleaned_data["name"],
            members=list(form.cleaned_data["members"]),
        )
    except ApplicationError as exc:
        refuse(form, exc)
        return _list_page(request, contractor, form, status=exc.status)
    messages.success(request, _("The crew %(name)s is made.") % {"name": crew.name})
    return redirect(_crews_url(crew))


@login_required
@GET_POST
def crew_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename the crew or change who is in it."""
    crew = _crew_or_404(request, pk)
    page = "tasks/crew_form.html"
    contractor_id = crew.contractor_id
    if request.method != "POST":
        form = CrewForm(initial=CrewForm.initial_of(crew), contractor_id=contractor_id)
        return render(request, page, {"crew": crew, "form": form})
    form = CrewForm(request.POST, contractor_id=contractor_id)
    if not form.is_valid():
        return render(request, page, {"crew": crew, "form": form}, status=400)
    try:
        crew = services.crew_update(
            actor=request.user,
            crew=crew,
            name=form.cleaned_data["name"],
            members=list(form.cleaned_data["members"]),
        )
    except ApplicationError as exc:
        refuse(form, exc)
        return render(request, page, {"crew": crew, "form": form}, status=exc.status)
    messages.success(request, _("The crew %(name)s is saved.") % {"name": crew.name})
    return redirect(_crews_url(crew))


def _confirm(request: HttpRequest, crew: Crew, action: str) -> HttpResponse:
    return render(request, "tasks/crew_confirm.html", {"crew": crew, "action": action})


@login_required
@GET_POST
def crew_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST removes the crew. Its tasks stay, given to
    no crew."""
    crew = _crew_or_404(request, pk)
    if request.method != "POST":
        return _confirm(request, crew, "remove")
    back = reverse("tasks:crews", args=[crew.contractor.slug])
    try:
        services.crew_remove(actor=request.user, crew=crew)
    except ApplicationError as exc:
        show_refusal(request, exc)
        return redirect(back)
    messages.success(
        request,
        _("The crew %(name)s is removed. Its tasks are given to no crew now.")
        % {"name": crew.name},
    )
    return redirect(back)


@login_required
@GET_POST
def crew_feed_renew(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST gives the crew's feed a new address, and the
    old one stops working."""
    crew = _crew_or_404(request, pk)
    if request.method != "POST":
        return _confirm(request, crew, "renew")
    try:
        crew = services.crew_feed_renew(actor=request.user, crew=crew)
    except ApplicationError as exc:
        show_refusal(request, exc)
        return redirect(_crews_url(crew))
    messages.success(
        request,
        _(
            "The old address of %(name)s no longer works. Give the crew the new "
            "one to add to their calendar apps."
        )
        % {"name": crew.name},
    )
    return redirect(_crews_url(crew))


@require_safe
def crew_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The crew's calendar, for calendar apps (no login: the address is the
    secret). 404 for an unknown address or one renewed away."""
    crew = reads.crew_by_token(token)
    if crew is None:
        raise Http404
    return ics_response(feeds.crew_calendar(crew), feeds.crew_filename(crew))
