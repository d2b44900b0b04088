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
