from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from communities.selectors import is_municipal_staff
from hub.errors import ApplicationError
from hub.refusals import show_refusal

from . import services
from .forms import PortalCreateForm


def portal_create_view(request: HttpRequest) -> HttpResponse:
    """Wagtail admin: municipal staff create a portal in one step.

    All or nothing: portal_create runs in one transaction, so a refusal or a failed
    publish leaves no community, page, draft, collection, group or site behind."""
    if not is_municipal_staff(request.user):
        raise PermissionDenied
    form = PortalCreateForm(
        request.POST or None, initial={"parent": request.GET.get("parent")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            portal = services.portal_create(actor=request.user, **data)
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        except ValidationError as exc:
            # Wagtail refused to save or publish the page (its own checks).
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("The portal “%(name)s” was created.") % {"name": portal.title},
            )
            return redirect("wagtailadmin_explore", portal.pk)
    return TemplateResponse(
        request,
        "cms/admin/portal_create.html",
        {"form": form, "header_title": _("New portal")},
    )
