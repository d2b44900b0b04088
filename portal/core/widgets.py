"""A select written in Python to the very markup of Django's templates.

Django renders a select with two templates per option ("select.html", "select_option.html"):
for the filters of a list or a dashboard (every funded structure, every referent) that was a
tenth of the page's time at a Département's scale. `select_html` writes the same text, whitespace
included (tests/core/test_filter_fields.py compares it with Django's own rendering)."""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def attrs_html(attrs) -> str:
    """Django's "django/forms/widgets/attrs.html", every name and value escaped."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget: dict) -> SafeString:
    """The select of a widget's context (`widget.get_context(...)["widget"]`), option groups
    included."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"{attrs_html(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    # Every name, value and label is escaped above; the rest is the template's literal text.
    return mark_safe("".join(parts))  # nosec B308 B703


class Select(forms.Select):
    """`forms.Select` rendered by `select_html`. Named `Select`: crispy forms gives the field the
    class of the widget's name ("select")."""

    def render(self, name, value, attrs=None, renderer=None):
        return select_html(self.get_context(name, value, attrs)["widget"])
