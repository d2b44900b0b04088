from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Q

from portal.referentiels.enums import FormeJuridique, TypeAccompagnement
from portal.referentiels.models import Contact, Referent, Structure, Territoire
from portal.referentiels.validators import normalize_siret

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StructureForm(forms.ModelForm):
    # Wider than the model field: people paste "186 200 093 00083"; clean_siret normalises.
    siret = forms.CharField(label="SIRET", max_length=30, help_text="14 chiffres ; les espaces sont acceptés.")

    class Meta:
        model = Structure
        fields = ["nom", "forme_juridique", "siret", "adresse", "code_postal", "commune", "territoires"]
        widgets = {"territoires": forms.CheckboxSelectMultiple}

    def __init__(self, *args, identity_editable=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territoires"].queryset = Territoire.objects.order_by("nom")
        self.fields["territoires"].error_messages["required"] = "Indiquez au moins un territoire d'intervention."
        self.fields["siret"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        if not identity_editable:
            for name in ("nom", "forme_juridique", "siret", "territoires"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Modifiable uniquement par la DPID."

    def clean_siret(self):
        return normalize_siret(self.cleaned_data["siret"])


ContactFormSet = forms.inlineformset_factory(
    Structure,
    Contact,
    fields=["nom", "fonction", "email", "telephone"],
    extra=1,
    can_delete=True,
)


class ReferentForm(forms.ModelForm):
    etp = forms.DecimalField(
        label="ETP",
        min_value=Decimal("0.01"),
        max_value=Decimal("1"),
        max_digits=4,
        decimal_places=2,
        localize=True,
        help_text="Équivalent temps plein consacré à l'accompagnement RSA, entre 0,01 et 1 (ex. 0,8).",
        error_messages={
            "min_value": "L'ETP doit être d'au moins 0,01.",
            "max_value": "L'ETP ne peut pas dépasser 1 (un temps plein).",
            "max_decimal_places": "L'ETP s'écrit avec au plus deux décimales (ex. 0,75).",
        },
    )

    class Meta:
        model = Referent
        fields = ["structure", "nom", "prenom", "email", "etp", "type_accompagnement", "date_arrivee", "date_depart"]
        widgets = {"date_arrivee": DATE_WIDGET, "date_depart": DATE_WIDGET}

    def __init__(self, *args, structures=None, **kwargs):
        super().__init__(*args, **kwargs)
        if structures is None:
            # The structure is fixed by the caller (a responsable adds to their own structure).
            del self.fields["structure"]
        else:
            self.fields["structure"].queryset = structures

    def clean(self):
        cleaned = super().clean()
        arrivee, depart = cleaned.get("date_arrivee"), cleaned.get("date_depart")
        if arrivee and depart and depart < arrivee:
            self.add_error("date_depart", "La date de départ ne peut pas précéder la date d'arrivée.")
        return cleaned


class StructureFilter(django_filters.FilterSet):
    nom = django_filters.CharFilter(label="Nom ou SIRET", method="filter_nom")
    forme_juridique = django_filters.ChoiceFilter(
        label="Forme juridique", choices=FormeJuridique.choices, empty_label="Toutes"
    )
    territoire = django_filters.ModelChoiceFilter(
        label="Territoire", field_name="territoires", queryset=Territoire.objects.all(), empty_label="Tous"
    )

    class Meta:
        model = Structure
        fields = []

    def filter_nom(self, queryset, name, value):
        digits = normalize_siret(value)
        if digits.isdigit():
            return queryset.filter(siret__startswith=digits)
        return queryset.filter(nom__icontains=value.strip())


class ReferentFilter(django_filters.FilterSet):
    nom = django_filters.CharFilter(label="Nom", method="filter_nom")
    type_accompagnement = django_filters.ChoiceFilter(
        label="Type d'accompagnement", choices=TypeAccompagnement.choices, empty_label="Tous"
    )
    actifs = django_filters.BooleanFilter(
        label="Présents uniquement (sans date de départ)", method="filter_actifs", widget=forms.CheckboxInput
    )

    class Meta:
        model = Referent
        fields = []

    def filter_nom(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(nom__icontains=value) | Q(prenom__icontains=value))

    def filter_actifs(self, queryset, name, value):
        return queryset.actifs() if value else queryset
