from collections import defaultdict
from decimal import Decimal

from django import forms
from django.utils import timezone

from accompagnement.enums import (
    CATEGORIE_DU_MOTIF,
    DecisionSuspension,
    MotifSortie,
    StatutPrescription,
)
from accompagnement.forms import DATE_WIDGET
from accompagnement.models import SECRET_HINT, ActiviteHebdomadaire, Prescription, TypeAccompagnement

DECISION_CHOICES = [("accepter", "Accepter la demande"), ("refuser", "Refuser la demande")]


def _not_future(day, message):
    if day and day > timezone.localdate():
        raise forms.ValidationError(message)
    return day


class PrescriptionForm(forms.ModelForm):
    class Meta:
        model = Prescription
        fields = ["date", "action", "organisme", "dispositif_departemental", "argumentaire"]
        widgets = {"date": DATE_WIDGET, "argumentaire": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "argumentaire": "Pourquoi cette action, au regard du diagnostic et du CER. " + SECRET_HINT,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()

    def clean_date(self):
        return _not_future(self.cleaned_data["date"], "La date de prescription ne peut pas être future.")


class PrescriptionSuiteForm(forms.Form):
    statut = forms.ChoiceField(label="Suite donnée", choices=StatutPrescription.choices, widget=forms.RadioSelect)


class ReorientationForm(forms.Form):
    type_souhaite = forms.ModelChoiceField(
        label="Accompagnement proposé", queryset=TypeAccompagnement.objects.filter(actif=True)
    )
    structure_proposee = forms.ModelChoiceField(
        label="Structure proposée (facultatif)",
        queryset=None,
        required=False,
        empty_label="Au choix du SLAI",
        help_text="Parmi les structures qui interviennent sur le territoire de la personne.",
    )
    argumentaire = forms.CharField(
        label="Argumentaire", widget=forms.Textarea(attrs={"rows": 5}), help_text=SECRET_HINT
    )

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure_proposee"].queryset = structures


class DecisionForm(forms.Form):
    """Accept or refuse a request to the SLAI; a refusal is reasoned."""

    decision = forms.ChoiceField(label="Décision", choices=DECISION_CHOICES, widget=forms.RadioSelect)
    motif = forms.CharField(
        label="Motif de la décision",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire en cas de refus.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuser" and not cleaned.get("motif", "").strip():
            self.add_error("motif", "Motivez le refus : le référent en est informé.")
        return cleaned

    @property
    def accepte(self):
        return self.cleaned_data["decision"] == "accepter"


class ReorientationDecisionForm(DecisionForm):
    type_accompagnement = forms.ModelChoiceField(
        label="Nouvel accompagnement", queryset=TypeAccompagnement.objects.filter(actif=True), required=False
    )
    structure = forms.ModelChoiceField(
        label="Nouvelle structure",
        queryset=None,
        required=False,
        help_text="Structures qui interviennent sur le territoire de la personne. "
        "Un changement d'accompagnement ou de structure : la structure désignera le référent.",
    )

    def __init__(self, *args, structures, demande, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "type_accompagnement": demande.type_souhaite_id,
                "structure": demande.structure_proposee_id or demande.orientation.structure_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "accepter":
            for name in ("type_accompagnement", "structure"):
                if not cleaned.get(name):
                    self.add_error(name, "Choisissez-le pour accepter la demande.")
        return cleaned


class RenouvellementForm(forms.Form):
    argumentaire = forms.CharField(
        label="Argumentaire",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Ce que le bilan montre, et ce que le nouveau CER poursuivra. " + SECRET_HINT,
    )


class SuspensionForm(forms.Form):
    """Several on one page (one per procedure): `procedure` makes each one's ids unique while the
    posted names stay the same."""

    decision = forms.ChoiceField(
        label="Décision",
        choices=DecisionSuspension.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choisissez la décision sur la procédure de suspension."},
    )
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=SECRET_HINT,
    )

    def __init__(self, *args, procedure, **kwargs):
        kwargs.setdefault("auto_id", f"suspension-{procedure.pk}-%s")
        super().__init__(*args, **kwargs)


class ActiviteForm(forms.Form):
    semaine = forms.DateField(
        label="Semaine du",
        widget=DATE_WIDGET,
        help_text="Un jour de la semaine : la saisie est rattachée au lundi de cette semaine.",
    )
    heures = forms.DecimalField(
        label="Heures d'activité",
        min_value=Decimal(0),
        max_value=Decimal(168),
        max_digits=4,
        decimal_places=1,
        localize=True,
        help_text=f"Objectif : {ActiviteHebdomadaire.CIBLE_HEURES} heures par semaine.",
    )
    commentaire = forms.CharField(label="Commentaire", max_length=300, required=False, help_text=SECRET_HINT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["semaine"].initial = timezone.localdate()


def motif_choices():
    """Exit motives grouped by category (optgroups); the reorientation is the SLAI's decision."""
    groups = defaultdict(list)
    for motif in MotifSortie:
        if motif != MotifSortie.REORIENTATION:
            groups[CATEGORIE_DU_MOTIF[motif]].append((motif.value, motif.label))
    return [("", "---------")] + [(categorie.label, choices) for categorie, choices in groups.items()]


class SortieForm(forms.Form):
    date = forms.DateField(label="Date de sortie", widget=DATE_WIDGET)
    motif = forms.ChoiceField(label="Motif de sortie", choices=motif_choices)
    commentaire = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=SECRET_HINT
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()

    def clean_date(self):
        return _not_future(self.cleaned_data["date"], "La date de sortie ne peut pas être future.")
