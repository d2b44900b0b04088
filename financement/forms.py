from decimal import Decimal

from django import forms

from financement.models import LigneAnnexe


class LigneChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, ligne):
        from portal.core.formats import format_euros

        return (
            f"Th. {ligne.thematique} op. {ligne.operation} – {ligne.structure.nom} ({ligne.territoire_libelle}) : "
            f"{format_euros(ligne.montant)}"
        )


class SimulationForm(forms.Form):
    nom = forms.CharField(label="Nom de la simulation", max_length=120, help_text="Par exemple « Sans le FAJ ».")
    lignes = LigneChoiceField(
        label="Propositions retenues",
        queryset=LigneAnnexe.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez les propositions à programmer ; le tableau compare leur total au disponible de chaque AE.",
    )

    def __init__(self, *args, deliberation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lignes"].queryset = LigneAnnexe.objects.filter(deliberation=deliberation).select_related(
            "structure", "territoire", "territoire_secondaire"
        )


class SignatureForm(forms.Form):
    signe_structure_le = forms.DateField(
        label="Signé par la structure le", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    signe_departement_le = forms.DateField(
        label="Signé par le Département le", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ResiliationForm(forms.Form):
    date = forms.DateField(label="Date d'effet", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    motif = forms.CharField(label="Motif de la résiliation", widget=forms.Textarea(attrs={"rows": 3}))


class VersementForm(forms.Form):
    montant = forms.DecimalField(
        label="Montant versé (€)", min_value=Decimal("0.01"), max_digits=12, decimal_places=2, localize=True
    )
    date_versement = forms.DateField(
        label="Date du versement", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference_mandat = forms.CharField(label="Référence du mandat", max_length=40)
