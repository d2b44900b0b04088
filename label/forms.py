from django import forms
from django.utils import timezone

from label.enums import Avis, MotifRetrait, NatureFormation
from label.models import CharteQualite, DemandeLabel, EvaluationCer, FormationReferent, ModuleFormation, Moratoire
from portal.core.formats import format_date
from portal.core.forms import NoBlankRadioMixin
from portal.core.textfiles import UnreadableText, load_json_bytes
from portal.core.uploads import validate_document_upload

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_CER_FILE = 2 * 1024 * 1024


class FormationForm(NoBlankRadioMixin, forms.ModelForm):
    class Meta:
        model = FormationReferent
        fields = ["module", "nature", "date", "organisme", "piece", "nouvelle_session"]
        widgets = {"date": DATE_WIDGET, "nouvelle_session": DATE_WIDGET, "nature": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = ModuleFormation.objects.all()
        self.fields["module"].label_from_instance = lambda m: (
            f"{m.libelle} ({m.duree}){'' if m.obligatoire else ' – facultatif'}"
        )

    def clean_piece(self):
        piece = self.cleaned_data.get("piece")
        if piece:
            validate_document_upload(piece)
        return piece

    def clean(self):
        cleaned = super().clean()
        nature, piece = cleaned.get("nature"), cleaned.get("piece")
        date, nouvelle = cleaned.get("date"), cleaned.get("nouvelle_session")
        today = timezone.localdate()
        if nature == NatureFormation.SESSION and not piece:
            self.add_error("piece", "Joignez l'attestation de présence à la session.")
        if nature == NatureFormation.EQUIVALENCE and not piece:
            self.add_error("piece", "Joignez le programme ou le support de la formation équivalente.")
        if nature == NatureFormation.ABSENCE:
            if not piece:
                self.add_error("piece", "Joignez le justificatif d'absence (arrêt maladie, congés…).")
            if not nouvelle:
                self.add_error(
                    "nouvelle_session", "Indiquez la nouvelle session sur laquelle le référent est positionné."
                )
            elif date and nouvelle <= date:
                self.add_error("nouvelle_session", "La nouvelle session doit suivre la session manquée.")
        if nature in (NatureFormation.SESSION, NatureFormation.EQUIVALENCE) and date and date > today:
            self.add_error("date", "Une formation suivie ne peut pas être datée dans le futur.")
        if nature == NatureFormation.PREVUE and date and date < today:
            self.add_error("date", "Une session prévue est datée d'aujourd'hui ou plus tard.")
        return cleaned


class CerImportForm(forms.Form):
    referent = forms.ModelChoiceField(label="Référent", queryset=None)
    fichier = forms.FileField(
        label="Fichier JSON des CER anonymisés",
        help_text="Un CER ou une liste de CER au format d'échange (N° CAF, type, dates, remarque, actions). "
        "2 Mo au plus.",
    )

    def __init__(self, *args, referents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = referents

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > MAX_CER_FILE:
            raise forms.ValidationError("Le fichier dépasse 2 Mo.")
        try:
            data = load_json_bytes(fichier.read())
        except UnreadableText as error:
            raise forms.ValidationError(str(error)) from None
        if not isinstance(data, dict | list):
            raise forms.ValidationError("Le fichier doit contenir un CER ou une liste de CER.")
        return data


class DemandeForm(forms.ModelForm):
    class Meta:
        model = DemandeLabel
        fields = ["commentaire", "engagement"]
        widgets = {"commentaire": forms.Textarea(attrs={"rows": 4})}


class EvaluationForm(forms.ModelForm):
    SCALES = {
        "duree_adaptee": [("0", "0"), ("1", "1")],
        "remarque_situation": [("0", "0"), ("1", "1")],
        "remarque_positionnement": [("0", "0"), ("1", "1"), ("2", "2")],
        "secret_professionnel": [("0", "0 – non respecté"), ("1.5", "1,5 – respecté")],
    }

    class Meta:
        model = EvaluationCer
        fields = [
            "duree_adaptee",
            "remarque_situation",
            "remarque_positionnement",
            "secret_professionnel",
            "commentaire",
        ]
        widgets = {"commentaire": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in self.SCALES.items():
            field = self.fields[name]
            self.fields[name] = forms.TypedChoiceField(
                label=field.label, choices=choices, coerce=str, widget=forms.RadioSelect, required=True
            )
            value = getattr(self.instance, name)
            if value is not None:
                self.initial[name] = format(value.normalize(), "f")


class RenvoiForm(forms.Form):
    motif = forms.CharField(label="Corrections attendues", widget=forms.Textarea(attrs={"rows": 3}))


class PanelReduitForm(forms.Form):
    """The DPID accepts fewer than 5 CERs for a newcomer (arrived less than 6 months before)."""

    tirage = forms.ModelChoiceField(label="Référent", queryset=None, widget=forms.RadioSelect, empty_label=None)
    motif = forms.CharField(
        label="Motif",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Par exemple : arrivé·e il y a 3 mois, 3 CER signés depuis.",
    )

    def __init__(self, *args, tirages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tirage"].queryset = tirages
        self.fields["tirage"].label_from_instance = lambda t: (
            f"{t.referent.nom_complet} – {len(t.selection)} CER sur {t.PANEL_SIZE}, arrivé·e le "
            f"{format_date(t.referent.date_arrivee)}"
        )


class EvaluationDpidForm(forms.Form):
    evaluation = forms.CharField(
        label="Évaluation administrative",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Complétude du dossier, formation des référents, qualité des CER contrôlés.",
    )
    avis = forms.ChoiceField(label="Avis proposé", choices=Avis.choices, widget=forms.RadioSelect)


class AvisSlaiForm(forms.Form):
    avis = forms.ChoiceField(label="Avis après échange avec le SLAI", choices=Avis.choices, widget=forms.RadioSelect)
    commentaire = forms.CharField(
        label="Observations du SLAI (connaissance du partenariat territorial)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    revue_conjointe = forms.CharField(
        label="Revue conjointe siège – SLAI",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Obligatoire quand la moyenne du contrôle est inférieure à 80 %.",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision", choices=[("accord", "Accorder le label"), ("refus", "Refuser")], widget=forms.RadioSelect
    )
    motifs = forms.CharField(
        label="Motifs",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Obligatoires en cas de refus : le refus est motivé en fait et en droit.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refus" and not cleaned.get("motifs", "").strip():
            self.add_error("motifs", "Un refus doit être motivé en fait et en droit.")
        return cleaned


class MoratoireForm(forms.ModelForm):
    class Meta:
        model = Moratoire
        fields = [
            "date_rencontre",
            "criteres_non_remplis",
            "objectifs",
            "moyens",
            "temporalite",
            "signe_structure_le",
            "signe_slai_le",
            "signe_siege_le",
        ]
        widgets = {
            "date_rencontre": DATE_WIDGET,
            "signe_structure_le": DATE_WIDGET,
            "signe_slai_le": DATE_WIDGET,
            "signe_siege_le": DATE_WIDGET,
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("criteres_non_remplis", "objectifs", "moyens", "temporalite")
            },
        }


class RecoursForm(forms.Form):
    actions_menees = forms.CharField(
        label="Actions mises en place depuis le refus",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Présentez ce qui a été fait pour la qualité des CER ou la formation des référents, "
        "avec les justificatifs (attestations, grille d'évaluation) déposés dans le portail.",
    )


class ReponseRecoursForm(forms.Form):
    accueilli = forms.TypedChoiceField(
        label="Réponse",
        choices=[("1", "Recours accueilli : le label est délivré"), ("0", "Recours rejeté")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reponse = forms.CharField(label="Réponse motivée", widget=forms.Textarea(attrs={"rows": 4}))


class RetraitForm(forms.Form):
    motif = forms.ChoiceField(label="Motif du retrait", choices=MotifRetrait.choices, widget=forms.RadioSelect)
    griefs = forms.CharField(
        label="Faits et motifs de droit",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ils seront communiqués à la structure, qui pourra présenter ses observations écrites.",
    )


class ObservationsForm(forms.Form):
    observations = forms.CharField(label="Vos observations écrites", widget=forms.Textarea(attrs={"rows": 6}))


class DecisionRetraitForm(forms.Form):
    retirer = forms.TypedChoiceField(
        label="Décision",
        choices=[("1", "Retirer le label"), ("0", "Abandonner la procédure : le label est maintenu")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(
        label="Décision motivée",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Elle répond aux observations de la structure.",
    )


class CharteForm(forms.ModelForm):
    class Meta:
        model = CharteQualite
        fields = ["bilan", "piece"]
        widgets = {"bilan": forms.Textarea(attrs={"rows": 6})}

    def clean_piece(self):
        piece = self.cleaned_data.get("piece")
        if piece:
            validate_document_upload(piece)
        return piece


class ExamenCharteForm(forms.Form):
    conforme = forms.TypedChoiceField(
        label="Conclusion",
        choices=[("1", "Les critères du label sont toujours remplis"), ("0", "Les critères ne sont plus remplis")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    observations_dpid = forms.CharField(
        label="Observations",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Obligatoires quand les critères ne sont plus remplis.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("conforme") is False and not cleaned.get("observations_dpid", "").strip():
            self.add_error("observations_dpid", "Indiquez quels critères ne sont plus remplis.")
        return cleaned
