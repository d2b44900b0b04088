import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from accompagnement.enums import Frein, Sexe
from accompagnement.models import Diagnostic, Entretien, TypeAccompagnement
from accompagnement.selectors import late_condition
from portal.core.formats import de, format_decimal, pluriel
from portal.core.forms import NoBlankRadioMixin

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrientationForm(forms.Form):
    numero_caf = forms.RegexField(
        label="N° CAF", regex=r"^\d{7,13}$", error_messages={"invalid": "Le N° CAF comporte de 7 à 13 chiffres."}
    )
    nom = forms.CharField(label="Nom", max_length=150)
    prenom = forms.CharField(label="Prénom", max_length=150)
    date_naissance = forms.DateField(label="Date de naissance", widget=DATE_WIDGET)
    sexe = forms.ChoiceField(label="Sexe", choices=Sexe.choices, widget=forms.RadioSelect)
    code_postal = forms.RegexField(
        label="Code postal", regex=r"^\d{5}$", error_messages={"invalid": "Le code postal comporte 5 chiffres."}
    )
    commune = forms.CharField(label="Commune", max_length=120)
    territoire = forms.ModelChoiceField(label="Territoire (SLAI)", queryset=None)
    structure = forms.ModelChoiceField(label="Structure", queryset=None)
    type_accompagnement = forms.ModelChoiceField(
        label="Type d'accompagnement", queryset=TypeAccompagnement.objects.filter(actif=True)
    )
    date_orientation = forms.DateField(label="Date d'orientation", widget=DATE_WIDGET)

    def __init__(self, *args, territoires, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territoire"].queryset = territoires
        self.fields["structure"].queryset = structures
        if territoires.count() == 1:
            self.fields["territoire"].initial = territoires.first()
        self.fields["date_orientation"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        naissance, orientation = cleaned.get("date_naissance"), cleaned.get("date_orientation")
        if orientation and orientation > timezone.localdate():
            self.add_error("date_orientation", "La date d'orientation ne peut pas être dans le futur.")
        if naissance and orientation and naissance >= orientation:
            self.add_error("date_naissance", "La date de naissance doit précéder la date d'orientation.")
        structure, territoire = cleaned.get("structure"), cleaned.get("territoire")
        if structure and territoire and not structure.territoires.filter(pk=territoire.pk).exists():
            self.add_error("structure", f"{structure} n'intervient pas sur le territoire {territoire}.")
        return cleaned

    def beneficiaire_data(self):
        fields = ("numero_caf", "nom", "prenom", "date_naissance", "sexe", "code_postal", "commune", "territoire")
        return {name: self.cleaned_data[name] for name in fields}


class AffectationForm(forms.Form):
    referent = forms.ModelChoiceField(label="Référent", queryset=None, widget=forms.RadioSelect)
    confirmer = forms.BooleanField(label="Affecter malgré la file active complète", required=False)

    def __init__(self, *args, loads, **kwargs):
        super().__init__(*args, **kwargs)
        self.loads = {load.referent.pk: load for load in loads}
        self.fields["referent"].queryset = type(loads[0].referent).objects.filter(pk__in=self.loads) if loads else None
        self.fields["referent"].label_from_instance = self._label

    def _label(self, referent):
        load = self.loads[referent.pk]
        capacity = (
            f"{load.active} / {pluriel(load.places, 'place')}"
            if load.places is not None
            else pluriel(load.active, "personne")
        )
        full = " – file active complète" if load.is_full else ""
        if load.is_under:
            full = f" – sous le minimum attendu ({pluriel(load.minimum, 'personne')})"
        kind = referent.get_type_accompagnement_display()
        return f"{referent.nom_complet} ({kind}, ETP {format_decimal(referent.etp)}) : {capacity}{full}"

    def clean(self):
        cleaned = super().clean()
        referent = cleaned.get("referent")
        if referent and self.loads[referent.pk].is_full and not cleaned.get("confirmer"):
            load = self.loads[referent.pk]
            self.add_error(
                "referent",
                f"La file active {de(referent.nom_complet)} est complète ({pluriel(load.active, 'personne')} "
                f"pour {pluriel(load.places, 'place')}). Choisissez un autre référent ou cochez "
                "« Affecter malgré la file active complète ».",
            )
        return cleaned


class FileActiveFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Nom ou N° CAF", method="filter_q")
    type_accompagnement = django_filters.ModelChoiceFilter(
        label="Type d'accompagnement", queryset=TypeAccompagnement.objects.all(), empty_label="Tous"
    )
    sans_referent = django_filters.BooleanFilter(
        label="Sans référent uniquement", method="filter_sans_referent", widget=forms.CheckboxInput
    )

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(beneficiaire__numero_caf__startswith=value)
        return queryset.filter(Q(beneficiaire__nom__icontains=value) | Q(beneficiaire__prenom__icontains=value))

    en_retard = django_filters.BooleanFilter(
        label="Échéance dépassée uniquement", method="filter_en_retard", widget=forms.CheckboxInput
    )

    def filter_sans_referent(self, queryset, name, value):
        return queryset.sans_referent() if value else queryset

    def filter_en_retard(self, queryset, name, value):
        return queryset.filter(late_condition(timezone.localdate())) if value else queryset


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier CSV des orientations",
        help_text="Export du logiciel du Département : séparateur « ; » (ou « , »), UTF-8 ou Windows-1252, "
        "dates JJ/MM/AAAA, une ligne d'en-tête. 20 Mo au plus.",
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > 20 * 1024 * 1024:
            raise forms.ValidationError("Le fichier dépasse 20 Mo.")
        return fichier


class EntretienForm(NoBlankRadioMixin, forms.ModelForm):
    class Meta:
        model = Entretien
        fields = ["date", "mode", "nature", "presence", "note", "prochain_rdv"]
        widgets = {
            "date": DATE_WIDGET,
            "prochain_rdv": DATE_WIDGET,
            "presence": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        day, following = cleaned.get("date"), cleaned.get("prochain_rdv")
        if day and day > timezone.localdate():
            self.add_error(
                "date", "Un entretien se saisit une fois qu'il a eu lieu : la date ne peut pas être future."
            )
        if day and following and following <= day:
            self.add_error("prochain_rdv", "Le prochain rendez-vous suit l'entretien.")
        return cleaned


class DiagnosticForm(forms.ModelForm):
    """The 360° diagnostic; also embedded in the CER closure and the exit, where it is mandatory."""

    freins = forms.MultipleChoiceField(
        label="Freins identifiés",
        choices=Frein.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Une catégorie seulement : le détail (médical notamment) n'a pas sa place ici.",
    )

    class Meta:
        model = Diagnostic
        fields = ["date", "moment", "freins", "atouts", "synthese"]
        widgets = {
            "date": DATE_WIDGET,
            "atouts": forms.Textarea(attrs={"rows": 2}),
            "synthese": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, moment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        if moment is not None:
            # Closure and exit: the moment is fixed (the final update of the diagnostic).
            self.fields["moment"].initial = moment
            self.fields["moment"].disabled = True

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError("Un diagnostic se saisit une fois réalisé : la date ne peut pas être future.")
        return day


# The CER's forms live in forms/cer.py; re-exported here for the imports that predate it.
from accompagnement.forms.cer import (  # noqa: E402, F401
    BaseCerActionFormSet,
    CerActionForm,
    CerActionFormSet,
    CerForm,
)
