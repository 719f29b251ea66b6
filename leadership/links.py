"""Links to pages by route name and ids, each route reversed once per process: a start page
links every item it lists, and reversing each link cost more than building the rest of the
item (``reverse`` resolves the namespace and pattern each time)."""

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

# An id no row has, reversed in place of the ids and then replaced by them.
_PLACEHOLDER = 2147483647


@functools.lru_cache(maxsize=128)
def _pieces(name: str, script_prefix: str, arity: int) -> tuple[str, ...]:
    # ``script_prefix`` is part of the cache key: ``reverse`` starts from the current one.
    url = reverse(name, args=[_PLACEHOLDER] * arity)
    pieces = tuple(url.split(str(_PLACEHOLDER)))
    if len(pieces) != arity + 1:
        raise ValueError(f"{name} does not take {arity} ids where they can be replaced")
    return pieces


def link(name: str, *ids: int) -> str:
    """``reverse(name, args=ids)`` for a route that takes only integer ids."""
    pieces = _pieces(name, get_script_prefix(), len(ids))
    url = pieces[0]
    for id_, piece in zip(ids, pieces[1:], strict=True):
        url += str(int(id_)) + piece
    return url


@receiver(setting_changed, dispatch_uid="leadership_links_forget_routes")
def _forget_routes(*, setting: str, **kwargs) -> None:
    # Django forgets its own URL caches when a test swaps the URLconf; these must go too.
    if setting == "ROOT_URLCONF":
        _pieces.cache_clear()
