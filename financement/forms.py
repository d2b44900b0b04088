from decimal import Decimal

from django import forms

from financement.models import LigneAnnexe
from portal.core.forms import AmountField


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
    montant = AmountField(
        label="Montant versé (€)", min_value=Decimal("0.01"), max_digits=12, decimal_places=2, localize=True
    )
    date_versement = forms.DateField(
        label="Date du versement", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference_mandat = forms.CharField(label="Référence du mandat", max_length=40)


class ResultatsForm(forms.Form):
    """The results the DPID enters: places in file active and the indicators the portal does not
    compute (one field per indicator)."""

    places_realisees = forms.IntegerField(
        label="Places réalisées (file active)",
        min_value=0,
        required=False,
        help_text="Places en file active sur la période.",
    )
    etp_realises = AmountField(
        label="ETP effectivement affectés",
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=2,
        required=False,
        localize=True,
    )

    def __init__(self, *args, convention, resultats=None, indicateurs=None, **kwargs):
        """`indicateurs` may carry the accompaniment's values (pre-filled, to confirm)."""
        initial = {}
        if resultats is not None:
            initial = {"places_realisees": resultats.places_realisees, "etp_realises": resultats.etp_realises}
        indicateurs = list(convention.indicateurs.all()) if indicateurs is None else indicateurs
        self.indicateurs = indicateurs
        for indicateur in self.indicateurs:
            initial[f"indicateur_{indicateur.pk}"] = indicateur.valeur
        super().__init__(*args, initial=initial, **kwargs)
        for indicateur in self.indicateurs:
            self.fields[f"indicateur_{indicateur.pk}"] = AmountField(
                label=f"{indicateur.libelle} (cible {indicateur.cible})",
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=2,
                required=False,
                localize=True,
                help_text=f"{indicateur.famille}, poids {indicateur.poids} %."
                + (" Pré-rempli à partir de l'accompagnement : à confirmer." if indicateur.code_portail else ""),
            )

    def valeurs(self):
        return {
            indicateur.pk: self.cleaned_data[f"indicateur_{indicateur.pk}"]
            for indicateur in self.indicateurs
            if self.cleaned_data.get(f"indicateur_{indicateur.pk}") is not None
        }


class VoteForm(forms.Form):
    date = forms.DateField(label="Date du vote", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    vote_pour = forms.IntegerField(label="Voix pour", min_value=0)
    vote_contre = forms.IntegerField(label="Voix contre", min_value=0)
    vote_abstention = forms.IntegerField(label="Abstentions", min_value=0)
    vote_absents = forms.IntegerField(label="Absents sans délégation de vote", min_value=0)
    membres_interesses = forms.CharField(
        label="Membres intéressés à l'affaire n'ayant pas pris part au vote",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Un nom par ligne.",
    )
    adoptee = forms.TypedChoiceField(
        label="Résultat",
        choices=[("oui", "Adoptée"), ("non", "Rejetée")],
        coerce=lambda value: value == "oui",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, thematiques, **kwargs):
        """`thematiques`: (code, sum of the retained lines) for each thématique of the annex."""
        super().__init__(*args, **kwargs)
        self.thematiques = [code for code, _ in thematiques]
        for code, total in thematiques:
            self.fields[f"libelle_{code}"] = forms.CharField(
                label=f"Thématique {code} : libellé", max_length=250, initial=f"Thématique {code}"
            )
            self.fields[f"montant_{code}"] = AmountField(
                label=f"Thématique {code} : montant voté (€)",
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=2,
                localize=True,
                initial=total,
                help_text="Tel qu'il figure dans la délibération, même s'il diffère de la somme des lignes.",
            )

    def articles(self):
        return {
            code: (self.cleaned_data[f"libelle_{code}"], self.cleaned_data[f"montant_{code}"])
            for code in self.thematiques
        }


# --- bilans --------------------------------------------------------------------------------------


class BilanForm(forms.ModelForm):
    """The structure confirms the figures pre-filled from its caseload and comments."""

    class Meta:
        from financement.models import Bilan

        model = Bilan
        fields = [
            "file_active",
            "entrees",
            "sorties",
            "sorties_dynamiques",
            "reorientations",
            "sorties_autres",
            "entretiens",
            "commentaire",
        ]
        widgets = {"commentaire": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "commentaire": "Ce que les chiffres ne disent pas : difficultés, partenariats, actions menées.",
        }

    def __init__(self, *args, portail=None, **kwargs):
        super().__init__(*args, **kwargs)
        portail = portail or {}
        for name in ("file_active", "entrees", "sorties"):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = "Confirmez ce chiffre avant de déposer le bilan."
        for name, field in self.fields.items():
            if name in portail and portail[name] is not None:
                field.help_text = f"Accompagnement : {portail[name]}. {field.help_text}".strip()

    def chiffres(self):
        from financement.bilans import CHIFFRES

        return {name: self.cleaned_data.get(name) for name in CHIFFRES}


class PieceBilanForm(forms.Form):
    titre = forms.CharField(
        label="Intitulé de la pièce", max_length=200, help_text="Par exemple « Compte rendu du COPIL »."
    )
    fichier = forms.FileField(label="Fichier (PDF, JPEG ou PNG)")

    def clean_fichier(self):
        from portal.core.uploads import validate_document_upload

        fichier = self.cleaned_data["fichier"]
        validate_document_upload(fichier)
        return fichier


class RenduBilanForm(forms.Form):
    motif = forms.CharField(
        label="Ce que la structure doit corriger",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez ce que la structure doit corriger."},
    )


class ValiderBilanForm(forms.Form):
    """A button only: the DPID validates the deposited bilan."""


# --- a Commission Permanente session from the proposals -----------------------------------------


class CandidatureChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, candidature):
        from portal.core.formats import format_euros

        modele = candidature.modele_acte or candidature.get_acte_propose_display()
        etat = candidature.get_etat_display()
        return (
            f"{candidature.dispositif.code} – {candidature.structure.nom} ({candidature.territoire.nom}) : "
            f"{format_euros(candidature.montant_propose)}, {modele} – {etat[:1].lower()}{etat[1:]}"
        )


class SessionForm(forms.Form):
    date = forms.DateField(
        label="Date de la réunion", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    annee_appel = forms.IntegerField(label="Année de l'appel à projets", min_value=2000, max_value=2100)
    phase = forms.IntegerField(label="Phase", min_value=1, max_value=99)
    numero = forms.SlugField(
        label="Numéro de la délibération",
        max_length=20,
        help_text="Le numéro attribué par l'assemblée, par exemple 2025-112 (lettres, chiffres et tirets).",
    )
    intitule = forms.CharField(label="Intitulé de la délibération", max_length=250)
    candidatures = CandidatureChoiceField(
        label="Propositions à inscrire",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les candidatures proposées à la Commission Permanente qui ne sont dans aucune séance.",
        error_messages={"required": "Choisissez au moins une proposition."},
    )
    ligne_budgetaire = forms.ModelChoiceField(
        label="Imputation des thématiques encore jamais imputées",
        queryset=None,
        required=False,
        help_text="Les autres thématiques gardent l'imputation de leur dernière ligne d'annexe.",
    )

    def __init__(self, *args, **kwargs):
        from financement.models import LigneBudgetaire
        from financement.services import propositions_disponibles

        super().__init__(*args, **kwargs)
        self.fields["candidatures"].queryset = propositions_disponibles()
        self.fields["ligne_budgetaire"].queryset = LigneBudgetaire.objects.all()
