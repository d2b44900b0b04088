def scope(request):
    from portal.accounts.twofactor import is_verified, required

    user = getattr(request, "user", None)
    pending = bool(user is not None and user.is_authenticated and required() and not is_verified(user))
    # Until the second factor has passed, the menus stay hidden (their links lead back to it).
    return {"scope": getattr(request, "scope", None), "two_factor_pending": pending}
