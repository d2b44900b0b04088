"""Forms of the CER: the CER and its actions, edition, signature, import, and the live grid's input."""

import datetime

from django import forms
from django.utils import timezone

from accompagnement.cer_json import MAX_FILE_SIZE, UnreadableCerFile, load_cers
from accompagnement.cerp import cerp_errors, is_cerp
from accompagnement.enums import PhaseCerp
from accompagnement.forms import DATE_WIDGET
from accompagnement.models import Cer, CerAction
from accompagnement.regles import cer_duration_error, cer_end_limit
from accompagnement.services.cer import signature_errors
from portal.core.formats import pluriel
from portal.core.forms import NoBlankRadioMixin
from portal.grille_cer import ActionInput, CerInput


class CerForm(NoBlankRadioMixin, forms.ModelForm):
    class Meta:
        model = Cer
        fields = ["type", "phase_cerp", "date_edition", "date_debut", "date_fin", "remarque", "signe_le"]
        widgets = {
            "phase_cerp": forms.RadioSelect,
            "date_edition": DATE_WIDGET,
            "date_debut": DATE_WIDGET,
            "date_fin": DATE_WIDGET,
            "signe_le": DATE_WIDGET,
            "remarque": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, orientation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.orientation = orientation
        self.kind = orientation.type_accompagnement if orientation is not None else None
        if self.kind is None or not is_cerp(orientation):
            del self.fields["phase_cerp"]  # only the self-employed sign CERPs, step by step
        else:
            self.fields["phase_cerp"].required = True
            self.fields["phase_cerp"].choices = PhaseCerp.choices
        if self.kind is not None and self.kind.duree_cer_mois:
            # The end follows from the start and the kind's duration; it may only be brought forward.
            self.fields["date_fin"].required = False
            self.fields["date_fin"].help_text = (
                f"Laissée vide, elle suit le début de {pluriel(self.kind.duree_cer_mois, 'mois', 'mois')} "
                "(durée du CER de ce type d'accompagnement) ; elle peut être avancée, pas reculée."
            )

    def clean(self):
        cleaned = super().clean()
        debut, fin = cleaned.get("date_debut"), cleaned.get("date_fin")
        if self.kind is not None and debut:
            if fin is None and self.kind.duree_cer_mois:
                fin = cleaned["date_fin"] = cer_end_limit(self.kind, debut)
                self.instance.date_fin = fin
            error = cer_duration_error(self.kind, debut, fin)
            if error:
                self.add_error("date_fin", error)
            if "phase_cerp" in self.fields and cleaned.get("phase_cerp"):
                for message in cerp_errors(
                    self.orientation, phase=cleaned["phase_cerp"], debut=debut, fin=fin, exclude_pk=self.instance.pk
                ):
                    self.add_error("date_fin", message)
        if debut and fin and fin <= debut:
            self.add_error("date_fin", "La fin du CER suit son début.")
        return cleaned


class CerActionForm(forms.ModelForm):
    class Meta:
        model = CerAction
        fields = ["intitule", "date_debut", "date_fin", "detail", "insertion_professionnelle"]
        widgets = {"date_debut": DATE_WIDGET, "date_fin": DATE_WIDGET, "detail": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        cleaned = super().clean()
        debut, fin = cleaned.get("date_debut"), cleaned.get("date_fin")
        if debut and fin and fin < debut:
            self.add_error("date_fin", "La fin de l'action suit son début.")
        return cleaned


class BaseCerActionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError("Un CER comporte au moins une action.")


CerActionFormSet = forms.inlineformset_factory(
    Cer, CerAction, form=CerActionForm, formset=BaseCerActionFormSet, extra=3, can_delete=False
)


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


def action_values(formset) -> list[dict]:
    """The actions a valid formset keeps, as values for the services: each action's fields, and
    `pk` for an action already recorded (blank rows and rows marked for deletion are left out)."""
    kept = []
    for form in formset.forms:
        if form.instance.pk is None and not form.has_changed():
            continue
        if formset.can_delete and form.cleaned_data.get("DELETE"):
            continue
        values = {name: form.cleaned_data[name] for name in CerActionForm._meta.fields if name in form.cleaned_data}
        values["pk"] = form.instance.pk
        kept.append(values)
    return kept


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
