"""The pages after a social log-in on www (main_app/social.py): pick a workspace, or create one
without a password. Both need the identity the provider vouched for, in this session."""

from allauth.core import ratelimit
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from .forms import SocialSignupForm
from .social import HandOverRefused, forget, hand_over_url, identity, workspaces_of
from .views import TOO_MANY, create_and_hand_over, signup_of


def identity_expired(request: HttpRequest) -> HttpResponse:
    return render(request, "main_app/social_expired.html", status=400)


def pick_workspace(request: HttpRequest) -> HttpResponse:
    """The workspaces where an address the provider verified is a member; the one chosen is
    entered with a single-use hand-over link."""
    person = identity(request)
    if person is None:
        return identity_expired(request)
    problem, status = "", 200
    if request.method == "POST":
        try:
            url = hand_over_url(person, int(request.POST.get("workspace", "0") or 0))
        except (HandOverRefused, ValueError):
            problem, status = "Choose one of these workspaces.", 400
        else:
            forget(request)
            return HttpResponseRedirect(url)
    context = {"person": person, "accounts": workspaces_of(person), "problem": problem}
    return render(request, "main_app/social_pick.html", context, status=status)


def social_signup(request: HttpRequest) -> HttpResponse:
    """A new workspace whose owner logs in through the provider (no password)."""
    person = identity(request)
    if person is None:
        return identity_expired(request)
    form = SocialSignupForm(person.emails, request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(
            request, action="workspace_signup", key=form.cleaned_data["email"]
        ):
            form.add_error(None, TOO_MANY)
            status = 429
        else:
            created = create_and_hand_over(form, signup_of(form), password=None)
            if created is not None:
                forget(request)
                return created
    context = {"form": form, "person": person}
    return render(request, "main_app/social_signup.html", context, status=status)
