"""Names of downloaded files, made from what things are called now.

A file name is built when the file is served, from the current names of what it is about
(a programme renamed since a cohort began gives its new name), never from a slug or a file
name stored when the thing was created. Only ASCII letters, digits and hyphens survive, so a
name cannot break out of the quoted ``Content-Disposition`` header or point at a path."""

from django.utils.text import slugify


def download_stem(*names: object) -> str:
    """``names`` as one safe slug: "Ngā Kaiārahi — Cohort 3" → "nga-kaiarahi-cohort-3"."""
    return "-".join(filter(None, (slugify(str(name)) for name in names)))[:150].strip("-")


def download_filename(*parts: object, ext: str) -> str:
    """A file name from ``parts`` (each made safe by ``download_stem``) and the extension."""
    return f"{download_stem(*parts) or 'download'}.{slugify(ext) or 'bin'}"
