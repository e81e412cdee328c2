"""Keeping the search index right when records change outside model signals (bulk writes).

modelsearch updates the index through post_save/post_delete signals; bulk_create and bulk_update
send none, so bulk writers call `index_records` / `unindex_records` with what they wrote.
"""

from modelsearch.backends import get_search_backends
from modelsearch.index import class_is_indexed, remove_object


def index_records(model, objects):
    """Add or refresh `objects` (instances of `model`) in every auto-updated search backend."""
    objects = list(objects)
    if not objects or not class_is_indexed(model):
        return
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(model, objects)


def unindex_records(objects):
    for obj in objects:
        if class_is_indexed(type(obj)):
            remove_object(obj)
