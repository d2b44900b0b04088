"""What every form of the portal shares: detail pages that embed forms, service errors shown next
to their field, radio lists without a fake empty choice."""

from django import forms as django_forms
from django.contrib import messages
from django.forms.utils import ErrorDict
from django.shortcuts import redirect, render


def add_service_error(form, error):
    """A service's refusal goes next to the field it names (`error.field`), else above the form."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(error))


def error_messages(form) -> list[str]:
    """The form's errors as sentences, for a page that no longer shows the form."""
    result = list(form.non_field_errors())
    for name, errors in form.errors.items():
        if name != django_forms.forms.NON_FIELD_ERRORS:
            label = form.fields[name].label if name in form.fields else name
            result.extend(f"{label} : {error}" for error in errors)
    return result


def page_with_forms(request, template, context, *, forms, bound=None, fallback):
    """A detail page with embedded forms (CER signature, label decisions, suspension decisions…).

    `forms` maps a key to the unbound form the page shows there, or to None where the page shows
    none (the user may not act, or the record's state does not allow it); templates read it as
    `forms.<name>` or `forms|get_item:<key>`. After a bad submission `bound` is (key, bound
    form): the same page is displayed again (200, as Django's own form views do) with that form,
    its errors next to its fields and everything typed kept. Should the page no longer show that
    form (the record moved on meanwhile, e.g. "Action déjà effectuée"), its errors are said in
    messages on the page (`fallback`, a URL) instead of being lost on an invisible form."""
    if bound is not None:
        key, form = bound
        if forms.get(key) is None:
            for error in error_messages(form):
                messages.error(request, error)
            return redirect(fallback)
        forms = {**forms, key: form}
    return render(request, template, {**context, "forms": forms})


def keep_input_without_errors(*forms):
    """Show forms (or formsets) again with what was typed, without judging it yet: for a button
    that only changes the page (e.g. "Ajouter une action" without JavaScript), not a submission."""
    for form in forms:
        if isinstance(form, django_forms.BaseFormSet):
            keep_input_without_errors(*form.forms)
            form._errors = [ErrorDict() for _ in form.forms]
            form._non_form_errors = form.error_class(error_class="nonform")
        else:
            form._errors = ErrorDict()


class NoBlankRadioMixin:
    """A radio list offers real choices only: Django adds a blank "---------" choice to model
    fields with choices, which a RadioSelect shows as a first option, checked by default."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_plain_choice = isinstance(field, django_forms.ChoiceField) and not isinstance(
                field, django_forms.ModelChoiceField
            )
            if isinstance(field.widget, django_forms.RadioSelect) and is_plain_choice:
                field.choices = [choice for choice in field.choices if choice[0] != ""]


class AmountField(django_forms.DecimalField):
    """A number typed the French way: "1 000,50", "1 000,50 €", as the portal prints it with
    non-breaking spaces (spaces of any kind and the euro sign ignored)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(ch for ch in value if not ch.isspace() and ch not in "\u202f€")
        return super().to_python(value)
