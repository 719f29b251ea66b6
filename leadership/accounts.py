"""allauth glue: invitation only, no public sign-up."""

from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """People are enrolled by an administrator and invited; nobody signs themselves up."""

    def is_open_for_signup(self, request) -> bool:
        return False
