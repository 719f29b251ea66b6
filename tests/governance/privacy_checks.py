"""Checks the permission walk makes on every HTML page it fetches (``tests/test_permissions``)."""

import re

# A form field a person types into freely, or a file upload.
FREE_TEXT_OR_UPLOAD = re.compile(r'<textarea\b|<input[^>]*type="file"', re.IGNORECASE)
WARNING_MARKER = 'class="alert alert-warning py-2 small no-patient-data"'
# Forms that hold no clinical text: signing in, filtering lists.
EXEMPT_PATHS = ("/accounts/", "/privacy/")


def assert_patient_data_warning(response) -> None:
    """A page with a free-text field or an upload shows the warning not to enter
    patient-identifiable information (``templates/_no_patient_data.html``)."""
    if response.status_code != 200 or response.wsgi_request.path.startswith(EXEMPT_PATHS):
        return
    html = response.content.decode()
    if FREE_TEXT_OR_UPLOAD.search(html):
        assert WARNING_MARKER in html, (
            f"{response.wsgi_request.path} has a free-text field or an upload but no "
            '{% include "_no_patient_data.html" %}'
        )
