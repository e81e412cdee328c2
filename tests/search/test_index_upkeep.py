"""Single-record changes reach the index once their transaction commits, in one refresh per type.

`committed()` runs what a commit of the test's writes would run; rolled-back savepoints drop
their callbacks as a rolled-back transaction does. The admin test commits for real.
"""

import pytest
from django.db import transaction
from django.test import Client

from portal.search.backends import get_backend
from portal.search.models import SearchEntry
from portal.search.query import search
from tests.portal.admin_forms import change_form_data
from tests.profiles.factories import CountryFactory, InitiativeFactory

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def found(query):
    return [hit.obj for hit in search(query).hits]


def has_entry(record):
    return SearchEntry.objects.filter(kind="initiatives", object_id=record.pk).exists()


@pytest.fixture
def index_calls(monkeypatch):
    """[(kind, ids)] of every refresh the backend is asked for."""
    backend = get_backend()
    calls = []
    index = backend.index

    def spy(kind, ids):
        ids = list(ids)
        calls.append((kind, ids))
        return index(kind, ids)

    monkeypatch.setattr(backend, "index", spy)
    return calls


def test_a_rolled_back_save_leaves_the_index_untouched(committed, index_calls):
    with committed():
        initiative = InitiativeFactory(title="Numbat week")
    assert found("numbat") == [initiative]
    index_calls.clear()
    with committed(), pytest.raises(Rollback), transaction.atomic():
        initiative.title = "Wombat week"
        initiative.save()
        created = InitiativeFactory(title="Wombat fair")
        raise Rollback
    assert index_calls == []
    assert found("numbat") == [initiative]
    assert search("wombat").total == 0
    assert not has_entry(created)


def test_a_save_is_searchable_after_its_commit_not_before(committed):
    with committed():
        initiative = InitiativeFactory(title="Quokka week")
        assert not has_entry(initiative)
    assert found("quokka") == [initiative]


def test_many_writes_in_one_transaction_make_one_refresh_per_type(committed, index_calls):
    with committed():
        country = CountryFactory(name="Elbonia")
        initiatives = [InitiativeFactory(country=country, title=f"Dugong {i}") for i in range(5)]
        for initiative in initiatives:
            initiative.body = "Edited."
            initiative.save()
        country.summary = "Renamed its initiatives' country text."
        country.save()  # its initiatives once more
        assert index_calls == []
    kinds = [kind for kind, _ids in index_calls]
    assert sorted(kinds) == sorted(set(kinds)) and "initiatives" in kinds
    assert dict(index_calls)["initiatives"] == sorted(i.pk for i in initiatives)
    assert search("dugong").total == 5


def test_a_rolled_back_savepoint_drops_only_its_own_writes(committed):
    with committed():
        with pytest.raises(Rollback), transaction.atomic():
            InitiativeFactory(title="Serval fair")
            raise Rollback
        kept = InitiativeFactory(title="Serval week")
        with pytest.raises(Rollback), transaction.atomic():
            InitiativeFactory(title="Serval day")
            raise Rollback
        later = InitiativeFactory(title="Serval night")
    assert set(found("serval")) == {kept, later}
    # (SQLite may give a rolled-back id to a later record: count the entries instead.)
    assert SearchEntry.objects.filter(kind="initiatives").count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_admin_edit_is_searchable_once_committed(admin_user, index_calls):
    initiative = InitiativeFactory(title="Ocelot week")  # autocommit: indexed at once
    assert found("ocelot") == [initiative]
    index_calls.clear()
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    url = f"/admin/profiles/initiative/{initiative.pk}/change/"
    page = client.get(url)
    data = change_form_data(page)
    data["title"] = "Margay week"
    data["csrfmiddlewaretoken"] = str(page.context["csrf_token"])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert found("margay") == [initiative]
    assert search("ocelot").total == 0
    # The record, its relations and its history entry: written in one transaction, one refresh.
    assert index_calls == [("initiatives", [initiative.pk])]
