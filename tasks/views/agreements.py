"""An agreement's page, read only for now: its parties, sites, kinds of work,
people, pre-approved times, templates and series."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dates import WEEKDAYS
from django.views.decorators.http import require_safe

from .. import selectors
from ..models import Side, WorkKind


@login_required
@require_safe
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """404 for whoever may not see the agreement."""
    agreement = selectors.agreement_detail(request.user, pk)
    if agreement is None:
        raise Http404
    kinds = dict(WorkKind.choices)
    actors = list(agreement.actors.all())
    templates = list(agreement.templates.all())
    for template in templates:
        template.duration_minutes = int(template.duration.total_seconds() // 60)
    context = {
        "agreement": agreement,
        "kinds": [kinds.get(k, k) for k in agreement.work_kinds],
        "client_people": [a for a in actors if a.side == Side.CLIENT],
        "contractor_people": [a for a in actors if a.side == Side.CONTRACTOR],
        "templates": templates,
        "windows": [(WEEKDAYS[w.weekday], w) for w in agreement.windows.all()],
    }
    return render(request, "tasks/agreement_detail.html", context)
