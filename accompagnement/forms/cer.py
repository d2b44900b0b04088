"""Forms of the CER beyond its first entry: edition, signature, import, and the live grid's input."""

import datetime

from django import forms
from django.utils import timezone

from accompagnement.cer_json import MAX_FILE_SIZE, UnreadableCerFile, load_cers
from accompagnement.forms import DATE_WIDGET, BaseCerActionFormSet, CerActionForm, CerForm
from accompagnement.models import Cer, CerAction
from accompagnement.services.cer import signature_errors
from portal.core.cer_grid import ActionInput, CerInput


class CerEditForm(CerForm):
    """The CER form of creation, edition and renewal: the signature date is checked too."""

    def clean(self):
        cleaned = super().clean()
        for error in signature_errors(signe_le=cleaned.get("signe_le"), date_edition=cleaned.get("date_edition")):
            self.add_error("signe_le", error)
        return cleaned


def action_formset_class(*, extra=3, can_delete=False):
    """The actions of a CER: blank rows to add some; on an edited CER, existing ones may be removed."""
    return forms.inlineformset_factory(
        Cer, CerAction, form=CerActionForm, formset=BaseCerActionFormSet, extra=extra, can_delete=can_delete
    )


class CerSignatureForm(forms.Form):
    signe_le = forms.DateField(label="Signé le", widget=DATE_WIDGET)

    def __init__(self, *args, cer, **kwargs):
        super().__init__(*args, **kwargs)
        self.cer = cer
        self.fields["signe_le"].initial = timezone.localdate()

    def clean_signe_le(self):
        day = self.cleaned_data["signe_le"]
        errors = signature_errors(signe_le=day, date_edition=self.cer.date_edition)
        if errors:
            raise forms.ValidationError(errors)
        return day


class CerImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier JSON des CER",
        help_text="Une liste de CER au format d'échange du portail (celui de l'export et de la commande grade_cer) : "
        "N° CAF, type, dates AAAA-MM-JJ, remarque, actions. Encodé en UTF-8, 2 Mo au plus.",
    )
    partiel = forms.BooleanField(
        label="Importer seulement les CER valides",
        required=False,
        help_text="Sinon, un fichier contenant un CER refusé n'importe rien.",
    )

    def clean_fichier(self):
        """Checked by its content, whatever its name or announced type."""
        fichier = self.cleaned_data["fichier"]
        if fichier.size > MAX_FILE_SIZE:
            raise forms.ValidationError("Le fichier dépasse 2 Mo.")
        try:
            return load_cers(fichier.read(MAX_FILE_SIZE + 1))
        except UnreadableCerFile as error:
            raise forms.ValidationError(str(error)) from None


# --- live grid: what the referent has typed so far, read leniently --------------------------------

PLACEHOLDER_DAY = datetime.date(2000, 1, 1)


def _day(value):
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def grid_input_from_post(data, prefix="actions") -> tuple[CerInput, bool]:
    """The CER being typed, as the grid's input, and whether all its dates are usable. Blank
    action rows are ignored; a missing date makes the date items "à compléter" (a placeholder
    stands in for it so that the other items and the secrecy alerts are still computed)."""
    dates_ok = True

    def day(value):
        nonlocal dates_ok
        parsed = _day(value)
        if parsed is None:
            dates_ok = False
            return PLACEHOLDER_DAY
        return parsed

    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), 50)
    except ValueError:
        total = 0
    actions = []
    for index in range(total):
        names = ("intitule", "date_debut", "date_fin", "detail")
        row = {name: data.get(f"{prefix}-{index}-{name}", "") for name in names}
        if data.get(f"{prefix}-{index}-DELETE") or not any(value.strip() for value in row.values()):
            continue
        actions.append(
            ActionInput(
                intitule=row["intitule"],
                date_debut=day(row["date_debut"]),
                date_fin=day(row["date_fin"]),
                detail=row["detail"],
                insertion_professionnelle=bool(data.get(f"{prefix}-{index}-insertion_professionnelle")),
            )
        )
    cer = CerInput(
        numero_caf="",
        type=data.get("type", ""),
        date_edition=day(data.get("date_edition")),
        date_debut=day(data.get("date_debut")),
        date_fin=day(data.get("date_fin")),
        remarque=data.get("remarque", ""),
        actions=actions,
    )
    return cer, dates_ok
