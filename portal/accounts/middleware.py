from portal.accounts.scope import Scope


class ScopeMiddleware:
    """Resolve the requesting user's scope once per request (see DESIGN.md §1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = Scope.of(request.user)
        return self.get_response(request)
