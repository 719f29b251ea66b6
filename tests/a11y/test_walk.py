"""Every page of the permission walk, as each persona who may open it (WCAG 3.3.1 and the
issue's "don't offer what will be refused"):

* its links (the breadcrumbs among them) lead only to pages that persona may open;
* none of its forms is refused to that persona;
* each of its forms, sent back with everything a person types left empty, that comes back
  with errors shows the error summary: announced (role=alert), focusable (tabindex=-1, and
  static/js/site.js focuses it; tests/a11y/test_keyboard.py watches that in a browser), one
  entry per error, each linking to something on the page, and "Error: " before the title.

One test walks everything so each page is fetched once (about 200 pages and 100 forms).
"""

from django import forms
from django.db import transaction
from django.forms.formsets import BaseFormSet
from django.test import Client

from tests.a11y.pages import Form, clients, error_summary, pages_of_the_walk, same_site_path


def _send_empty(user, action: str, form: Form):
    """Post the form as ``user`` would with nothing typed, chosen or ticked: only what it
    carries hidden. In a rolled-back savepoint, with a client of its own (it may log out)."""
    data = {name: value for name, value in form.values.items() if name not in form.visible}
    client = Client()
    with transaction.atomic():
        if user is not None:
            client.force_login(user)
        response = client.post(action, data)
        transaction.set_rollback(True)
    return response


def _error_count(response) -> int:
    """How many error messages the forms the view rendered carry (0: none came back). A form of
    a formset counts once, with its formset, though templates meet it on its own as well."""
    found = {}
    for context in response.context or []:
        for value in context.flatten().values():
            for item in value if isinstance(value, list | tuple) else (value,):
                if isinstance(item, forms.BaseForm | BaseFormSet) and item.is_bound:
                    found[id(item)] = item
    formsets = [item for item in found.values() if isinstance(item, BaseFormSet)]
    in_formsets = {id(form) for formset in formsets for form in formset.forms}
    count = sum(
        len(formset.non_form_errors())
        + sum(len(messages) for errors in formset.errors for messages in errors.values())
        for formset in formsets
    )
    for item in found.values():
        if isinstance(item, forms.BaseForm) and id(item) not in in_formsets:
            count += sum(len(messages) for messages in item.errors.values())
    return count


def _summary_problems(response, errors: int) -> list[str]:
    found = error_summary(response.content.decode())
    if found.attrs is None:
        return ["no error summary"]
    problems = []
    if found.attrs.get("role") != "alert":
        problems.append("the summary is not role=alert")
    if found.attrs.get("tabindex") != "-1" or "data-error-summary" not in found.attrs:
        problems.append("the summary cannot take focus on load")
    if not found.title.strip().startswith("Error: "):
        problems.append(f"the title is {found.title.strip()!r}")
    if found.items != errors:
        problems.append(f"{found.items} entries for {errors} errors")
    if missing := [target for target in found.targets if target not in found.ids]:
        problems.append(f"links to nothing: {missing}")
    return problems


def test_every_page_offers_only_what_its_viewer_may_do_and_summarises_form_errors(
    cohort, other_cohort, personas
):
    by = clients(personas)
    pages = list(pages_of_the_walk(cohort, other_cohort, personas, by))
    link_status: dict[tuple[str, str], int] = {}
    tried: set[tuple[str, str]] = set()
    summarised: set[str] = set()
    refused_links, refused_forms, unsummarised = [], [], []
    for page in pages:
        for href in page.links:
            path = same_site_path(href)
            if path is None:
                continue
            key = (page.persona, path)
            if key not in link_status:
                link_status[key] = by[page.persona].get(path).status_code
            if link_status[key] >= 400:
                where = "breadcrumb" if href in page.breadcrumbs else "link"
                refused_links.append(
                    f"{page.persona} on {page.url}: {where} {path} → {link_status[key]}"
                )
        for form in page.forms:
            action = same_site_path(form.action)
            if form.method != "post" or action is None or (page.persona, action) in tried:
                continue
            tried.add((page.persona, action))
            response = _send_empty(personas[page.persona], action, form)
            if response.status_code in (403, 404, 405):
                refused_forms.append(
                    f"{page.persona} on {page.url}: POST {action} → {response.status_code}"
                )
            elif response.status_code == 200 and (errors := _error_count(response)):
                if problems := _summary_problems(response, errors):
                    unsummarised.append(f"{page.persona}: POST {action}: {'; '.join(problems)}")
                else:
                    summarised.add(action)

    assert len(pages) >= 150, len(pages)
    assert not refused_links, "\n".join(refused_links)
    assert not refused_forms, "\n".join(refused_forms)
    assert not unsummarised, "\n".join(unsummarised)
    # The walk did meet forms that came back with errors: the check above is not vacuous.
    assert len(summarised) >= 30, sorted(summarised)
