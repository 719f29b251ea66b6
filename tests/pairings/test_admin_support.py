"""Paired administrative support (Waitematā ECM): one support person supports several clinical
leaders up to their capacity; the office assigns it on one page, all or nothing, and it shows
on both people's pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrolment
from pairings import selectors, services
from pairings.models import Pairing

from .helpers import enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def support(cohort):
    return enrol(
        cohort,
        profession="other",
        role=Enrolment.Role.ADMIN_SUPPORT,
        first_name="Rangi",
        last_name="Support",
    )


@pytest.fixture
def leaders(cohort):
    return [enrol(cohort, first_name=f"Leader{n}", last_name="Clinical") for n in range(3)]


def test_one_support_person_supports_several_leaders_up_to_their_capacity(
    client, cohort, administrator, support, leaders
):
    services.support_capacity_set(
        cohort=cohort, person=support, leaders=2, acting_user=administrator
    )
    client.force_login(administrator)
    url = reverse("pairings:support_assign", args=[cohort.pk])
    form = {"started_on": timezone.localdate().isoformat()}
    form.update({f"support_{leader.pk}": str(support.pk) for leader in leaders})

    response = client.post(url, form)

    assert response.status_code == 400
    assert "Rangi Support has 2 place(s) left (capacity 2)" in response.content.decode()
    assert not Pairing.objects.exists()  # nothing half-saved

    del form[f"support_{leaders[2].pk}"]
    assert client.post(url, form).status_code == 302
    [load] = selectors.support_loads(cohort)
    assert [p.pk for p in load.leaders] == [leaders[0].pk, leaders[1].pk]
    assert load.places_left == 0
    page = client.get(url).content.decode()
    assert "2 of 2 places taken" in page

    # The service holds the rule whatever the form says.
    with pytest.raises(ValidationError, match="supports at most 2 clinical leader"):
        services.pairings_create(
            cohort=cohort,
            kind=Pairing.Kind.ADMIN_SUPPORT,
            pairs=[(leaders[2], support)],
            status=Pairing.Status.ACTIVE,
            started_on=timezone.localdate(),
            acting_user=administrator,
        )
    capacity_url = reverse("pairings:support_capacity", args=[cohort.pk, support.pk])
    response = client.post(capacity_url, {"leaders": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "already supports 2 clinical leaders" in page
    assert f'href="#capacity-{support.pk}-leaders"' in page  # the error summary's link
    assert client.post(capacity_url, {"leaders": "3"}).status_code == 302
    [load] = selectors.support_loads(cohort)
    assert load.places_left == 1


def test_support_shows_on_both_peoples_pages_and_the_pairings_page(
    client, cohort, administrator, support, leaders
):
    services.pairings_create(
        cohort=cohort,
        kind=Pairing.Kind.ADMIN_SUPPORT,
        pairs=[(leaders[0], support), (leaders[1], support)],
        status=Pairing.Status.ACTIVE,
        started_on=timezone.localdate(),
        acting_user=administrator,
    )
    client.force_login(administrator)
    support_page = client.get(
        reverse("reports:person_detail", args=[cohort.pk, support.pk])
    ).content.decode()
    assert "Supports clinical leader" in support_page
    assert "Leader0 Clinical" in support_page and "Leader1 Clinical" in support_page
    leader_page = client.get(
        reverse("reports:person_detail", args=[cohort.pk, leaders[0].pk])
    ).content.decode()
    assert "Supported by" in leader_page and "Rangi Support" in leader_page
    overview = client.get(reverse("pairings:cohort_overview", args=[cohort.pk])).content
    assert overview.decode().count("Rangi Support") == 2


def test_a_manager_still_partners_one_clinician_only(cohort, administrator, leaders):
    manager = enrol(cohort, profession="manager")
    with pytest.raises(ValidationError, match="more than one pair"):
        services.pairings_create(
            cohort=cohort,
            kind=Pairing.Kind.PARTNERSHIP,
            pairs=[(leaders[0], manager), (leaders[1], manager)],
            status=Pairing.Status.ACTIVE,
            started_on=timezone.localdate(),
            acting_user=administrator,
        )
