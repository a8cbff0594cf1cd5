from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hub.errors import ApplicationError
from hub.refusals import add_refusal, show_refusal

from . import tokens
from .forms import ApiTokenForm, ProfileForm


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:profile")
        if user.preferred_language:
            translation.activate(user.preferred_language)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.preferred_language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                samesite="Lax",
            )
        else:
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response
    return render(request, "accounts/profile.html", {"form": form})


def _tokens_page(
    request: HttpRequest,
    form: ApiTokenForm,
    *,
    new_secret: str | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    rows = list(tokens.tokens_of(request.user))
    for token in rows:
        token.expired = token.expires_at is not None and token.expires_at <= now
        token.live = token.revoked_at is None and not token.expired
    response = render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": rows, "new_secret": new_secret},
        status=status,
    )
    # A new token's secret is on this answer only: no cache, nor the browser's
    # history, may keep a copy of it.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The person's API tokens, and the form that makes one. The new token's
    secret is shown on the answer to the POST that made it, and never again."""
    if request.method == "GET":
        return _tokens_page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form, status=400)
    try:
        _token, secret = tokens.token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
    except ApplicationError as exc:
        add_refusal(form, exc)
        return _tokens_page(request, form, status=exc.status)
    return _tokens_page(request, ApiTokenForm(), new_secret=secret)


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST ends the token at once. Someone else's token
    is not found."""
    token = get_object_or_404(tokens.tokens_of(request.user), pk=pk)
    if request.method == "GET":
        if token.revoked_at is not None:
            return redirect("accounts:api_tokens")
        return render(request, "accounts/api_token_revoke.html", {"token": token})
    try:
        tokens.token_revoke(user=request.user, token=token)
    except ApplicationError as exc:
        show_refusal(request, exc)
        return redirect("accounts:api_tokens")
    messages.success(
        request,
        _("The token “%(name)s” has been revoked: it no longer opens the API.")
        % {"name": token.name},
    )
    return redirect("accounts:api_tokens")
