"""Rules every form of the portal follows: the server validates (never a browser popup in
English), and a radio list offers real choices only."""

import re
from pathlib import Path

from label.forms import FormationForm

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FORM_TAG = re.compile(r"<form\b(?:[^>{]|\{[^}]*\})*>", re.S)  # template tags may hold ">"
# Forms made of a button only (nothing typed to check), in templates owned by other work.
BUTTON_ONLY = {
    "base.html": "accounts:logout",
    "label/home_structure.html": "label:demande_create",
    "label/home_departement.html": 'name="etat"',
}


def test_every_form_leaves_validation_to_the_server():
    """`novalidate`: the browser keeps the `required` attributes (read by screen readers) but
    does not stop the submission with its own message, so the server's French error shows next
    to the field, with what was typed kept."""
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        for tag in FORM_TAG.findall(path.read_text()):
            if "novalidate" not in tag and name not in BUTTON_ONLY:
                missing.append(f"{name}: {tag[:80]}")
    assert not missing, missing


def test_the_exempted_forms_have_nothing_to_validate():
    for name, marker in BUTTON_ONLY.items():
        content = (TEMPLATES / name).read_text()
        assert marker in content, name
        for form in re.findall(r"<form\b.*?</form>", content, re.S):
            assert not re.search(r"<(textarea|input(?![^>]*type=\"hidden\"))[^>]*\brequired", form), name


def test_model_choices_shown_as_radios_have_no_empty_choice():
    form = FormationForm()
    assert "" not in [value for value, _ in form.fields["nature"].choices]
    assert "checked" not in str(form["nature"])


def all_form_classes():
    import importlib

    from django import forms

    for module in ("accompagnement.forms", "accompagnement.forms.cer", "accompagnement.forms.parcours", "label.forms"):
        importlib.import_module(module)
    pending, seen = [forms.Form, forms.ModelForm], set()
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in seen:
                seen.add(subclass)
                pending.append(subclass)
    return [cls for cls in seen if cls.__module__.split(".")[0] in ("accompagnement", "label", "portal")]


def test_no_radio_list_of_the_project_offers_an_empty_choice():
    """Declared or generated from a model's choices: a radio list with an empty choice must drop
    it (NoBlankRadioMixin), or it shows "---------" checked by default."""
    from django import forms

    from portal.core.forms import NoBlankRadioMixin

    offenders = []
    for cls in all_form_classes():
        for name, field in cls.base_fields.items():
            radio = isinstance(field.widget, forms.RadioSelect)
            plain = isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField)
            blank = radio and plain and "" in [value for value, _ in field.choices]
            if blank and not issubclass(cls, NoBlankRadioMixin):
                offenders.append(f"{cls.__name__}.{name}")
    assert not offenders, offenders
    assert len(all_form_classes()) > 20  # the scan does see the project's forms
