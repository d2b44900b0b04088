"""A filter form's fields rendered like crispy's bootstrap5 `as_crispy_field`, without its
template: crispy renders a 60-line template (and its includes) per field, 6–8 ms for the four
fields of a caseload's filter at scale. The plain cases a list's filter uses (a text input, a
select, a checkbox, optional, without help text nor error) are written here with the same markup
(whitespace aside; a select through `portal.core.widgets.select_html`); any other field (errors,
help text, required, another widget, a form helper) goes through crispy itself."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.conf import settings
from django.utils.html import conditional_escape, format_html

from portal.core.widgets import select_html

register = template.Library()

# The widget classes rendered here (exact types: a subclass may render differently) and the
# bootstrap class crispy adds to each.
PLAIN_WIDGETS = {forms.TextInput: "form-control", forms.Select: "form-select", forms.CheckboxInput: "form-check-input"}


def _plain(field) -> bool:
    return (
        type(field.field.widget) in PLAIN_WIDGETS
        and getattr(field.form, "helper", None) is None
        and not getattr(settings, "CRISPY_CLASS_CONVERTERS", None)
        and not field.is_hidden
        and not field.field.required
        and not field.help_text
        and not field.errors
        and not field.css_classes()
        and bool(field.label)
    )


def _widget(field):
    """The widget with crispy's classes: its own, the widget's name in lower case, the bootstrap
    class (same mutation as crispy's `crispy_field` tag)."""
    widget = field.field.widget
    name = widget.__class__.__name__.lower()
    css = widget.attrs.get("class", "")
    css = (css if name in css else f"{css} {name}") if css else name
    for extra in PLAIN_WIDGETS[type(widget)].split():
        if extra not in css.split():
            css += f" {extra}"
    widget.attrs["class"] = css
    if type(widget) is forms.Select:
        return _select(field)
    return str(field)


def _select(field):
    """The select through `portal.core.widgets.select_html` (Django's markup without a template
    per option)."""
    attrs = field.build_widget_attrs({}, field.field.widget)
    if field.auto_id and "id" not in field.field.widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return select_html(field.field.widget.get_context(field.html_name, field.value(), attrs)["widget"])


@register.filter
def filter_field(field):
    if not _plain(field):
        return as_crispy_field(field)
    label = conditional_escape(field.label)
    if isinstance(field.field.widget, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}'
            '<label for="{}" class="form-check-label">{}</label></div></div>',
            field.auto_id,
            _widget(field),
            field.id_for_label,
            label,
        )
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label">{}</label>{}</div>',
        field.auto_id,
        field.id_for_label,
        label,
        _widget(field),
    )
