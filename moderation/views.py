"""Moderation's pages: the report form, a person's reports and decisions, and the
organisers' queue. Municipal moderators work the same queue in the Wagtail admin
(``moderation.admin_views``); both render the case through one partial."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import User
from communities.models import Community
from communities.selectors import is_municipal_staff
from hub.errors import ApplicationError
from hub.refusals import show_refusal

from . import registry, selectors, services
from .forms import (
    AppealForm,
    DecisionForm,
    ReportForm,
    VisitorReportForm,
    WordListForm,
)
from .models import Case, Decision


def _reportable_item(request: HttpRequest, kind: str, pk: str):
    try:
        reportable = registry.by_kind(kind)
    except registry.NotReportable:
        raise Http404 from None
    item = reportable.get(pk)
    if item is None or not reportable.can_see(request.user, item):
        raise Http404
    return reportable, item


def report(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _visitor_report(request, kind, pk)
    reportable, item = _reportable_item(request, kind, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = services.report_submit(
                reporter=request.user, kind=kind, pk=pk, data=form.to_input()
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            if filed.merged:
                text = _("We added this to your earlier report of the same thing.")
            else:
                text = _(
                    "Thank you. Your report was received; you will hear what "
                    "was decided."
                )
            messages.success(request, text)
            return redirect("moderation:reports_mine")
    context = {
        "form": form,
        "label": reportable.label,
        "excerpt": reportable.excerpt(item),
        "back": reportable.url(item),
    }
    return render(request, "moderation/report.html", context)


def _visitor_report(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    """A visitor may report illegal content: we e-mail a link to confirm."""
    reportable, item = _reportable_item(request, kind, pk)
    form = VisitorReportForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visitor_report_request(
                services.VisitorReport(
                    kind=kind,
                    pk=pk,
                    email=data["email"],
                    legal_ground=data["legal_ground"],
                    details=data["details"],
                )
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            sent = True
    context = {
        "form": form,
        "sent": sent,
        "label": reportable.label,
        "excerpt": reportable.excerpt(item),
        "back": reportable.url(item),
        "login_url": f"{reverse('account_login')}?next={request.path}",
    }
    return render(request, "moderation/report_visitor.html", context)


def visitor_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a visitor's e-mail: GET asks to confirm, POST files it (a
    mail scanner following links files nothing)."""
    filed = None
    if request.method == "POST":
        try:
            filed = services.visitor_report_confirm(token)
        except ApplicationError as exc:
            show_refusal(request, exc)
    return render(request, "moderation/report_confirm.html", {"filed": filed})


@login_required
def reports_mine(request: HttpRequest) -> HttpResponse:
    reports = list(selectors.reports_by(request.user)[:100])
    appealable = {
        decided.pk
        for decided in (report.case.latest_decision for report in reports)
        if decided is not None
        and services.can_appeal(user=request.user, decision=decided)
    }
    context = {"reports": reports, "appealable": appealable}
    return render(request, "moderation/reports_mine.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """Moderation of the person's own content: hidden items and statements."""
    cases = selectors.cases_about(request.user)[:100]
    return render(request, "moderation/mine.html", {"cases": cases})


@login_required
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.decision_for_viewer(user=request.user, pk=pk)
    if found is None:
        raise Http404
    context = {
        "decision": found,
        "can_appeal": services.can_appeal(user=request.user, decision=found),
    }
    return render(request, "moderation/decision.html", context)


@login_required
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """The author appeals a decision on their post, or a reporter one that left
    or restored what they reported."""
    found = selectors.decision_with_case(pk)
    if found is None or not services.can_appeal(user=request.user, decision=found):
        raise Http404
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_submit(
                appellant=request.user,
                decision=found,
                grounds=form.cleaned_data["grounds"],
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(
                request,
                _(
                    "Your appeal was received. A different moderator will decide "
                    "again, and you will be told the outcome."
                ),
            )
            mine = found.case.author_id == request.user.pk
            return redirect("moderation:mine" if mine else "moderation:reports_mine")
    return render(request, "moderation/appeal.html", {"decision": found, "form": form})


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not selectors.can_work_queue(request.user):
        raise Http404
    state = request.GET.get("state", Case.State.OPEN)
    if state not in Case.State.values:
        state = Case.State.OPEN
    cases = selectors.queue(request.user, state=state)[:200]
    context = {
        "cases": cases,
        "state": state,
        "states": Case.State.choices,
        "spaces": selectors.organised_spaces(request.user),
        "municipal": is_municipal_staff(request.user),
    }
    return render(request, "moderation/queue.html", context)


def decision_form(request: HttpRequest, view: selectors.CaseView) -> DecisionForm:
    """The form for the case: only the actions that apply, and "the law" as a
    ground only for municipal moderators."""
    case = view.case
    actions = [Decision.Action.NO_ACTION]
    if view.hideable and case.hidden_at is None:
        actions.append(Decision.Action.HIDE)
    if case.hidden_at is not None:
        actions.append(Decision.Action.RESTORE)
    return DecisionForm(
        request.POST or None,
        actions=actions,
        law=is_municipal_staff(request.user),
    )


def quick_decide(request: HttpRequest, view: selectors.CaseView) -> Decision | None:
    """Run the one-click decision the POST names (``quick``); None, with the
    refusal as a message, when it is unknown or refused."""
    chosen = {q.key: q.data for q in services.quick_decisions(view)}.get(
        request.POST.get("quick", "")
    )
    if chosen is None:
        messages.error(request, _("That decision is no longer offered; choose again."))
        return None
    try:
        return services.case_decide(moderator=request.user, case=view.case, data=chosen)
    except ApplicationError as exc:
        show_refusal(request, exc)
        return None


def decide(request: HttpRequest, case: Case, form: DecisionForm) -> Decision | None:
    """Run the decision a valid form holds; None with the refusal on the form."""
    try:
        return services.case_decide(
            moderator=request.user, case=case, data=form.to_input()
        )
    except ApplicationError as exc:
        show_refusal(request, exc, form=form)
        return None


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_viewer(user=request.user, pk=pk)
    if case is None:
        raise Http404
    view = selectors.case_view(case)
    if request.method == "POST" and "quick" in request.POST:
        if quick_decide(request, view) is not None:
            messages.success(request, _("Decided. The author was sent the reasons."))
            return redirect("moderation:queue")
        return redirect("moderation:case", pk=case.pk)
    form = decision_form(request, view)
    posted = request.method == "POST" and form.is_valid()
    if posted and decide(request, case, form) is not None:
        messages.success(request, _("Decided. The author was sent the reasons."))
        return redirect("moderation:queue")
    context = {
        "view": view,
        "form": form,
        "quick": services.quick_decisions(view),
        "can_decide": selectors.can_decide(user=request.user, case=case),
        "municipal": is_municipal_staff(request.user),
    }
    return render(request, "moderation/case.html", context)


@login_required
@require_POST
def case_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_viewer(user=request.user, pk=pk)
    if case is None:
        raise Http404
    try:
        services.case_escalate(actor=request.user, case=case)
    except ApplicationError as exc:
        show_refusal(request, exc)
        return redirect("moderation:case", pk=case.pk)
    messages.success(request, _("The case was passed to the municipality."))
    return redirect("moderation:queue")


def _months_since(first, now) -> list[tuple[int, int]]:
    """(year, month) from ``first``'s month to ``now``'s, newest first."""
    months = []
    year, month = now.year, now.month
    while (year, month) >= (first.year, first.month) and len(months) < 120:
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def transparency(
    request: HttpRequest, year: int | None = None, month: int | None = None
) -> HttpResponse:
    """The public report of one month's moderation (this month by default)."""
    now = timezone.localtime()
    year, month = year or now.year, month or now.month
    if not 1 <= month <= 12 or (year, month) > (now.year, now.month) or year < 2000:
        raise Http404
    first = selectors.first_month() or now
    context = {
        "report": selectors.month_report(year, month),
        "months": [
            date(y, m, 1)
            for y, m in _months_since(first, now)
            if (y, m) != (year, month)
        ],
        "current": (year, month) == (now.year, now.month),
    }
    return render(request, "moderation/transparency.html", context)


@login_required
@require_POST
def vouch(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """An organiser vouches for a new member, from the members page."""
    community = get_object_or_404(Community, slug=slug)
    person = get_object_or_404(User, pk=user_id)
    try:
        services.member_vouch(organiser=request.user, community=community, user=person)
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            _("You vouched for %(name)s: they are trusted now.")
            % {"name": person.public_name},
        )
    return redirect("communities:members", slug=community.slug)


@login_required
def words(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """A screening word list: the municipality's, or a space's."""
    space = get_object_or_404(Community, slug=slug) if slug else None
    if not selectors.can_edit_words(user=request.user, space=space):
        raise Http404
    current = selectors.word_list(space)
    form = WordListForm(request.POST or None, initial={"words": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.word_list_update(
                actor=request.user, space=space, words=form.cleaned_data["words"]
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(request, _("The word list was saved."))
            return redirect(request.path)
    return render(request, "moderation/words.html", {"form": form, "space": space})
