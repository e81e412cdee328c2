"""Cursor pagination in primary-key order: every page, the first or the thousandth, is one
`WHERE id > … ORDER BY id LIMIT …` query on the primary key's index (no OFFSET, no COUNT), and
records added meanwhile never shift a page."""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

BAD_CURSOR = "Invalid cursor: use the `next` or `previous` link of a page as it is."


class RecordCursorPagination(CursorPagination):
    ordering = ("pk",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_cursor_message = BAD_CURSOR

    def decode_cursor(self, request):
        """A cursor that is not one of ours is a client error (400), not a missing page."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]}) from error
        if cursor is not None and cursor.position is not None and not cursor.position.isdigit():
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]})
        return cursor
