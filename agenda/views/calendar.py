"""The municipal calendar: every public event occurrence and public booking, by
day, week or month, with filters (agenda.calendar_view reads and groups)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import calendar_view as cal


def calendar(request: HttpRequest) -> HttpResponse:
    """``?view=day|week|month&date=YYYY-MM-DD`` and the filters; anything
    invalid falls back (to the week of today, to no filter) and never fails."""
    options = cal.FilterOptions.for_viewer(request.user)
    form = cal.CalendarFilterForm(request.GET or None, options=options)
    today = timezone.localdate()
    period = cal.Period(
        cal.parse_view(request.GET.get("view")), form.chosen_date() or today
    )
    filters = form.filters()
    form.show_date(period.anchor)
    page = cal.calendar_page(
        viewer=request.user, period=period, filters=filters, options=options
    )
    return render(
        request,
        "agenda/calendar.html",
        {
            "form": form,
            "page": page,
            "period": period,
            "filters": filters,
            "links": cal.page_links(period, filters, today),
            "organised": cal.organised_communities(request.user),
            "limit": cal.LIMIT,
        },
    )
