from django import forms

from .models import SCALE, Framework, RaterGroup

MAX_IMPORT_BYTES = 200_000


class RatingsForm(forms.Form):
    """One radio group a statement (1–5), grouped by dimension for the template, which shows
    each statement as a fieldset whose legend is the statement."""

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimensions = []
        for dimension in framework.dimensions.all():
            names = []
            for statement in dimension.statements.all():
                name = f"s{statement.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=statement.text,
                    choices=[(value, f"{value} {label}") for value, label in SCALE.items()],
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": f"Choose a rating for “{statement.text}”."},
                )
                names.append(name)
            self.dimensions.append((dimension, names))

    def grouped(self):
        return [(dimension, [self[name] for name in names]) for dimension, names in self.dimensions]

    def ratings(self) -> dict[int, int]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class RaterForm(forms.Form):
    group = forms.ChoiceField(
        label="Who they are to you", choices=[("", "Choose…"), *RaterGroup.choices]
    )
    email = forms.EmailField(
        label="Their e-mail address",
        help_text="They get a private link by e-mail; they need no account. Their address is "
        "erased when your 360 closes.",
    )


class FrameworkChoiceForm(forms.Form):
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.none(),
        label="Framework",
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks


class FrameworkImportForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    file = forms.FileField(
        label="CSV file",
        required=False,
        help_text="Columns: dimension, dimension_description (optional), statement — one row "
        "a statement. Or paste the same lines below.",
    )
    text = forms.CharField(
        label="Or paste CSV",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_IMPORT_BYTES:
                self.add_error("file", "The file is larger than 200 kB.")
                return data
            try:
                data["csv_text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "Save the file as CSV (UTF-8) and try again.")
        elif data.get("text", "").strip():
            data["csv_text"] = data["text"]
        else:
            self.add_error("file", "Choose a CSV file or paste its lines.")
        return data
