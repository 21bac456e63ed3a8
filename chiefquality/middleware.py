"""Requests no page of the portal can answer, refused before any view or query sees them."""

from django.core.exceptions import BadRequest
from django.http import Http404


class RefuseNulCharacters:
    """A NUL in the path is a page that cannot exist (404); in the query string, a bad
    request (400). PostgreSQL refuses NUL in any text it is sent, so either would otherwise
    reach a query (a private link's reference, an admin filter) and end in a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL in the query string")
        return self.get_response(request)
