from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from communities.selectors import is_municipal_staff
from hub.errors import ApplicationError
from hub.refusals import show_refusal

from . import selectors, services
from .contact import ContactForm
from .forms import PortalCreateForm
from .models import PlatformPage


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


@require_GET
def platform_page_redirect(request: HttpRequest, role: str) -> HttpResponse:
    """The footer's links: on to the live platform page with ``role``, on the
    hub's own host (from a portal's host name too)."""
    page = selectors.platform_page(role)
    url = page.get_url(request) if page is not None else None
    if not url:  # no such page, or one outside every site
        raise Http404
    return redirect(url)


@require_POST
def contact_send_view(request: HttpRequest) -> HttpResponse:
    """The contact page's form. Sent, back to the page with a thank-you; refused
    or incomplete, the page again with the form as it was typed."""
    page = selectors.platform_page(PlatformPage.Role.CONTACT)
    if page is None:
        raise Http404
    form = ContactForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.contact_message_send(sender=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
            status = exc.status
        else:
            messages.success(
                request,
                _("Thank you. Your message was sent; the moderators answer by e-mail."),
            )
            return redirect(page.get_url(request))
    context = page.get_context(request)
    context["form"] = form
    return TemplateResponse(request, page.get_template(request), context, status=status)
