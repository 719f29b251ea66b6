"""Zip archives people upload — Office documents with their work, Excel participant lists —
checked before anything reads what is inside.

A few kilobytes of zip can declare gigabytes ("zip bomb"): a 2 MB workbook with 1 GB of
shared strings took a worker to 1.7 GB of memory. Python's ``zipfile`` (which openpyxl reads
through) never inflates a member beyond the size its directory entry declares, so checking
the declared sizes — the number of members, the total, and how far the whole archive and each
member expand — bounds what opening the archive can cost, whatever the bytes really hold.
"""

import zipfile

from django.core.exceptions import ValidationError

# A real Office document rarely expands more than ~20×; zip bombs expand thousands of times.
MAX_COMPRESSION_RATIO = 100
MAX_MEMBERS = 2000


def check_archive(archive: zipfile.ZipFile, *, name: str, max_uncompressed_bytes: int) -> None:
    """Raise ``ValidationError`` (naming the file) unless ``archive`` has at most
    ``MAX_MEMBERS`` members that together expand to at most ``max_uncompressed_bytes``, and
    neither the whole nor any member expands more than ``MAX_COMPRESSION_RATIO`` times.
    Reads only the archive's directory."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ValidationError(f"“{name}” contains too many parts to be a document.")
    total = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members) or 1
    if total > max_uncompressed_bytes or total / compressed > MAX_COMPRESSION_RATIO:
        raise ValidationError(
            f"“{name}” expands to {total // (1024 * 1024)} MB when opened, far more "
            "than a real document: it looks like a compressed bomb and was refused."
        )
    for member in members:
        if member.compress_size and member.file_size / member.compress_size > (
            MAX_COMPRESSION_RATIO
        ):
            raise ValidationError(
                f"“{name}” has a part that expands "
                f"{member.file_size // member.compress_size} times: it looks like a "
                "compressed bomb and was refused."
            )
