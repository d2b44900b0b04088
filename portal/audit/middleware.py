"""The request being served, for the audit trail of writes made deep in services.

Services take `request` only when a view passes it; many label and document services are called
without it, and their journal entries lost the address they came from. This middleware keeps
the current request in a context variable, and `access_record` falls back to it.
"""

from contextvars import ContextVar

_current_request = ContextVar("audit_current_request", default=None)


def current_request():
    """The request this thread or task is serving, or None (commands, Celery workers)."""
    return _current_request.get()


class AuditRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)

    def process_exception(self, request, exception):
        """A 404 on a page of a person's record outside the user's scope is a refused attempt on
        that person (portal.audit.refusals)."""
        from django.http import Http404

        if isinstance(exception, Http404):
            from portal.audit.refusals import record_refused_person

            record_refused_person(request)
        return None
