"""The OpenAPI schema is valid and describes every endpoint; the documentation page links it."""

import pytest
from django.urls import reverse
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_and_lists_every_endpoint(client):
    schema = client.get("/api/schema/").json()

    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/programmes/",
        "/api/cohorts/",
        "/api/cohorts/{cohort_id}/enrolments/",
        "/api/cohorts/{cohort_id}/teams/",
        "/api/cohorts/{cohort_id}/measures/",
        "/api/cohorts/{cohort_id}/pdsa-cycles/",
        "/api/cohorts/{cohort_id}/sessions/",
        "/api/cohorts/{cohort_id}/attendance/",
        "/api/cohorts/{cohort_id}/assignments/",
        "/api/cohorts/{cohort_id}/pairs/",
        "/api/measures/{measure_id}/",
        "/api/measures/{measure_id}/points/",
    }
    post = schema["paths"]["/api/measures/{measure_id}/points/"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "text/csv"}


def test_the_documentation_page_links_the_schema(client):
    html = client.get(reverse("api:documentation")).content.decode()
    assert 'href="/api/schema/"' in html
    assert "Power BI" in html
