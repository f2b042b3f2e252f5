from django import forms

from .lifecycle import MAX_REASON


class ReasonForm(forms.Form):
    """Why an action is taken: recorded with it (shared_app.OperatorAction)."""

    reason = forms.CharField(
        max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3}), strip=True
    )
