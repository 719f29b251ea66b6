"""Forms of the report pages."""

from django import forms

from leadership.models import User

from .models import ReportRequest


class ReportRequestForm(forms.Form):
    """What to build: the kind, and for a transcript or one certificate, whose."""

    kind = forms.ChoiceField(choices=ReportRequest.Kind.choices)
    person = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Participant",
        help_text="For a transcript or one person's certificate.",
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = participants


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Reason for revoking")


class CertificateVerifyForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Verification code",
        help_text="As printed on the certificate, e.g. ABCD-EFGH-JKMN.",
    )
