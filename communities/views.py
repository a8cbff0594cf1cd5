"""Thin adapters: validate input, call one service, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hub.errors import ApplicationError
from hub.refusals import show_refusal

from . import adapters, selectors, services
from .forms import (
    HouseRulesForm,
    InvitationAcceptForm,
    InvitationForm,
    JoinForm,
    RoleForm,
)
from .models import Community, Membership

# The states a person can leave from (communities.services.membership_leave).
LEAVABLE = {
    Membership.State.ACTIVE,
    Membership.State.REQUESTED,
    Membership.State.INVITED,
}


def _next(request: HttpRequest) -> str:
    """The local page to return to (``next``), or ""."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _back(request: HttpRequest, community: Community) -> HttpResponse:
    return redirect(
        _next(request) or reverse("communities:detail", args=[community.slug])
    )


@login_required
def my_communities(request: HttpRequest) -> HttpResponse:
    memberships = list(selectors.user_memberships(request.user))
    context = {
        "active": [m for m in memberships if m.state == Membership.State.ACTIVE],
        "invited": [m for m in memberships if m.state == Membership.State.INVITED],
        "requested": [m for m in memberships if m.state == Membership.State.REQUESTED],
    }
    return render(request, "communities/mine.html", context)


def community_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The community's portal page if it has one, else its member page."""
    community = get_object_or_404(Community, slug=slug)
    portal = getattr(community, "portal_page", None)
    if portal is not None and portal.live:
        # Relative to the request's site: a portal with its own host name is also
        # served under the hub, where the visitor is logged in.
        return redirect(portal.get_url(request))
    return redirect("communities:members", slug=slug)


def community_members(request: HttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(Community, slug=slug)
    if not selectors.can_view_community(user=request.user, community=community):
        return render(
            request,
            "communities/members_only.html",
            {
                "community": community,
                "join_form": JoinForm(),
                "membership": selectors.membership_get(
                    user=request.user, community=community
                ),
            },
            status=403,
        )
    can_manage = selectors.can_manage_members(user=request.user, community=community)
    can_see_members = can_manage or selectors.can_see_members(
        user=request.user, community=community
    )
    members = (
        list(selectors.community_members(viewer=request.user, community=community))
        if can_see_members
        else None
    )
    if can_manage and members:
        # How each member stands with moderation (a new account, vouched for,
        # strikes), for organisers, from the apps that know (adapters).
        standing = adapters.member_standing(community, [m.user for m in members])
        for membership in members:
            membership.standing = standing.get(membership.user_id, {})
    context = {
        "community": community,
        "members": members,
        "members_count": (
            len(members)
            if members is not None
            else selectors.community_member_count(
                viewer=request.user, community=community
            )
        ),
        "requests": list(
            selectors.pending_requests(viewer=request.user, community=community)
        ),
        "invitations": (
            list(selectors.invitations_sent(viewer=request.user, community=community))
            if can_manage
            else []
        ),
        "can_manage": can_manage,
        "invitation_form": InvitationForm(community=community) if can_manage else None,
        "role_choices": Membership.Role.choices,
        "my_membership": selectors.membership_get(
            user=request.user, community=community
        ),
    }
    return render(request, "communities/members.html", context)


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(Community, slug=slug)
    form = JoinForm(request.POST)
    form.is_valid()  # a field that is not valid is left out of cleaned_data
    try:
        membership = services.membership_join(
            user=request.user,
            community=community,
            message=form.cleaned_data.get("message", ""),
            accepts_rules=form.cleaned_data.get("accept_rules", False),
        )
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        if membership.state == Membership.State.ACTIVE:
            messages.success(request, _("Welcome to %(name)s!") % {"name": community})
        else:
            messages.success(
                request,
                _("Your request has been sent to the organisers of %(name)s.")
                % {"name": community},
            )
    return _back(request, community)


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    """GET asks to confirm (a page with a form, no script needed); POST leaves."""
    community = get_object_or_404(Community, slug=slug)
    if request.method == "GET":
        membership = selectors.membership_get(user=request.user, community=community)
        if membership is None or membership.state not in LEAVABLE:
            return _back(request, community)
        return render(
            request,
            "communities/leave_confirm.html",
            {"community": community, "membership": membership, "next": _next(request)},
        )
    try:
        services.membership_leave(user=request.user, community=community)
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("You have left %(name)s.") % {"name": community})
    return _back(request, community)


@login_required
@require_POST
def membership_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("community", "user"), pk=pk
    )
    community = membership.community
    if not selectors.can_manage_members(user=request.user, community=community):
        raise Http404
    try:
        if action == "approve":
            services.membership_approve(actor=request.user, membership=membership)
            messages.success(
                request, _("%(name)s is now a member.") % {"name": membership.user}
            )
        elif action == "decline":
            services.membership_decline(actor=request.user, membership=membership)
            messages.success(request, _("The request was declined."))
        elif action == "role":
            form = RoleForm(request.POST)
            if not form.is_valid():
                raise services.MembershipError(_("Choose a role."))
            services.membership_change_role(
                actor=request.user,
                membership=membership,
                role=form.cleaned_data["role"],
            )
            messages.success(request, _("The role was changed."))
        else:
            raise Http404
    except ApplicationError as exc:
        show_refusal(request, exc)
    return redirect("communities:members", slug=community.slug)


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """An organiser removes a member: GET asks to confirm, POST removes."""
    membership = get_object_or_404(
        Membership.objects.select_related("community", "user"), pk=pk
    )
    community = membership.community
    if not selectors.can_manage_members(user=request.user, community=community):
        raise Http404
    if request.method == "GET":
        return render(
            request,
            "communities/remove_confirm.html",
            {"community": community, "membership": membership},
        )
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request, _("%(name)s was removed.") % {"name": membership.user}
        )
    return redirect("communities:members", slug=community.slug)


@require_http_methods(["GET", "POST"])
def house_rules(request: HttpRequest, slug: str) -> HttpResponse:
    """The community's house rules, to whoever may see the community; its
    organisers and municipal staff edit them here too."""
    community = get_object_or_404(Community, slug=slug)
    if not selectors.can_view_community(user=request.user, community=community):
        raise Http404
    can_manage = selectors.can_manage_members(user=request.user, community=community)
    if request.method == "POST" and not can_manage:
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = (
        HouseRulesForm(data, initial={"house_rules": community.house_rules})
        if can_manage
        else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.community_house_rules_update(
                actor=request.user,
                community=community,
                text=form.cleaned_data["house_rules"],
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(request, _("The house rules were saved."))
            return redirect("communities:rules", slug=community.slug)
    return render(
        request,
        "communities/house_rules.html",
        {"community": community, "form": form},
    )


@login_required
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(Community, slug=slug)
    if not selectors.can_manage_members(user=request.user, community=community):
        raise Http404
    form = InvitationForm(request.POST or None, community=community)
    invitation = None
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user,
                community=community,
                email=form.cleaned_data["email"] or "",
                role=form.cleaned_data["role"],
                max_uses=form.cleaned_data["max_uses"] or 1,
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            if invitation.email:
                messages.success(
                    request,
                    _("An invitation was sent to %(email)s.")
                    % {"email": invitation.email},
                )
                return redirect("communities:members", slug=community.slug)
    link = (
        request.build_absolute_uri(invitation.get_absolute_url())
        if invitation is not None
        else None
    )
    return render(
        request,
        "communities/invite.html",
        {"community": community, "form": form, "link": link},
    )


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = services.invitation_find(token)
    except services.InvitationInvalid as exc:
        return render(
            request, "communities/invitation.html", {"error": exc.message}, status=404
        )
    community = found.community
    data = request.POST if request.method == "POST" else None
    form = InvitationAcceptForm(data, community=community)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if form.is_valid():
            try:
                services.invitation_accept(
                    user=request.user,
                    token=token,
                    accepts_rules=form.cleaned_data.get("accept_rules", False),
                )
            except ApplicationError as exc:
                show_refusal(request, exc)
            else:
                messages.success(
                    request, _("Welcome to %(name)s!") % {"name": community}
                )
                return redirect("communities:detail", slug=community.slug)
    return render(
        request, "communities/invitation.html", {"invitation": found, "form": form}
    )


@login_required
@require_POST
def invitation_decline(request: HttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(Community, slug=slug)
    try:
        services.invitation_decline(user=request.user, community=community)
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("You declined the invitation."))
    return redirect("communities:mine")
