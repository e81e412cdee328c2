"""Base class for public list pages: django-filter + pagination that never fails on bad input."""

from django_filters.views import FilterView

from .downloads import DownloadableListMixin


class PublicListView(DownloadableListMixin, FilterView):
    """A filtered, paginated list.

    - An invalid filter value (a year of "abc", an unknown choice) shows the form error and an empty
      result (django-filter's strict mode), never a 500.
    - A bad page number ("abc", -1, 10**9) shows the nearest valid page instead of a 404.
    - `?format=csv|xlsx|json` downloads every record the filters select (portal.downloads).
    """

    paginate_by = 25
    strict = True

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()
