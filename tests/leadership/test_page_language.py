"""Pages declare their language (WCAG 3.1.1): the English of the cohort they are about, else
the organisation's (LANGUAGE_CODE)."""

import re

import pytest
from django.urls import reverse

from cohorts.models import Cohort


def _lang(response) -> str:
    return re.search(r'<html lang="([^"]+)">', response.content.decode()).group(1)


@pytest.mark.parametrize(
    ("region", "language"),
    [(Cohort.HolidayRegion.NZ_CANTERBURY, "en-NZ"), (Cohort.HolidayRegion.SCOTLAND, "en-GB")],
)
def test_a_cohorts_pages_declare_the_english_of_its_region(
    client, cohort, participant, region, language
):
    Cohort.objects.filter(pk=cohort.pk).update(holiday_region=region)
    client.force_login(participant)
    assert _lang(client.get(reverse("modules:cohort_schedule", args=[cohort.pk]))) == language


def test_other_pages_declare_the_organisations_english(client, participant, settings):
    client.force_login(participant)
    assert _lang(client.get(reverse("modules:my_schedule"))) == "en-NZ"
    settings.LANGUAGE_CODE = "en-gb"
    assert _lang(client.get(reverse("modules:my_schedule"))) == "en-GB"
    assert _lang(client.get("/no-such-page/")) == "en-GB"
