from django import forms

from safeguarding.forms import DateField, gds_helper

from .models import ExportFormat
from .selectors import Period


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label="Period", initial="quarter", widget=forms.RadioSelect, choices=[
        ("quarter", "This quarter"), ("year", "Last 12 months"), ("census", "This census year (from 1 April)"),
        ("custom", "Choose dates")])
    start = DateField("From", required=False)
    end = DateField("To", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Show figures", method="get")

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            if not data.get("start"):
                self.add_error("start", "Enter the first day of the period")
            if not data.get("end"):
                self.add_error("end", "Enter the last day of the period")
            if data.get("start") and data.get("end") and data["start"] > data["end"]:
                self.add_error("end", "The last day must be the same as or after the first day")
        return data

    def chosen(self) -> Period:
        if not self.is_bound or not self.is_valid():
            return Period.this_quarter()
        data = self.cleaned_data
        if data["period"] == "year":
            return Period.last_12_months()
        if data["period"] == "census":
            return Period.census_year()
        if data["period"] == "custom":
            return Period(data["start"], data["end"], f"{data['start']:%-d %b %Y} to {data['end']:%-d %b %Y}")
        return Period.this_quarter()


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=ExportFormat.choices)
