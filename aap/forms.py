from decimal import Decimal

from django import forms
from django.utils import timezone

from aap import budget
from aap.catalogue import APPRECIATIONS, COHERENCE, RECEVABILITE
from aap.enums import Acte, AvisSlai, EtatCandidature, MotifCorrection, Section, ValidationSlai
from aap.models import AppelAProjets, Candidature, Dispositif, FenetreDepot, Personnel, Thematique
from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.core.forms import AmountField
from portal.core.uploads import validate_office_upload
from portal.referentiels.models import Territoire

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AUTRE_PIECE = "Autre pièce"
UPLOAD_HELP = "PDF, image JPEG ou PNG, document bureautique (Word, Excel, OpenDocument) ; 10 Mo au plus."


def _localize(field):
    """A decimal typed the French way ("0,5"): a text input, since a number input refuses the comma."""
    field.localize = True
    field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
    field.widget.is_localized = True


class AppelForm(forms.ModelForm):
    class Meta:
        model = AppelAProjets
        fields = ["annee", "titre", "presentation"]


class ThematiqueForm(forms.ModelForm):
    class Meta:
        model = Thematique
        fields = ["numero", "libelle"]


class DispositifForm(forms.ModelForm):
    class Meta:
        model = Dispositif
        fields = [
            "thematique",
            "code",
            "libelle",
            "axe",
            "contexte",
            "public_cible",
            "objectifs",
            "phasage",
            "modalites",
            "resultats_attendus",
            "territoires",
            "criteres_evaluation",
            "porteurs_eligibles",
            "profil_personnel",
            "periode_debut",
            "periode_fin",
            "modele_cout",
            "taux",
            "periode_taux",
            "places_forfait",
            "diagnostics_par_etp",
            "places_par_etp_max",
            "part_quantitative",
            "part_qualitative",
            "indicateurs",
            "pieces_requises",
            "modalites_versement",
            "bilan",
            "label_requis_a_partir_du",
            "validation_slai_requise",
            "cofinancement_europeen",
            "ordre",
        ]
        widgets = {
            "periode_debut": DATE_WIDGET,
            "periode_fin": DATE_WIDGET,
            "label_requis_a_partir_du": DATE_WIDGET,
            "territoires": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, appel, **kwargs):
        super().__init__(*args, **kwargs)
        self.appel = appel
        self.instance.appel = appel
        self.fields["thematique"].queryset = appel.thematiques.all()
        self.fields["territoires"].queryset = Territoire.objects.order_by("nom")
        self.fields["territoires"].help_text = "Aucun territoire coché : tous les territoires."
        _localize(self.fields["taux"])

    def clean(self):
        cleaned = super().clean()
        quanti, quali = cleaned.get("part_quantitative") or 0, cleaned.get("part_qualitative") or 0
        if (quanti or quali) and quanti + quali != 100:
            self.add_error("part_qualitative", "Les parts quantitative et qualitative totalisent 100 %.")
        return cleaned


class FenetreForm(forms.ModelForm):
    class Meta:
        model = FenetreDepot
        fields = ["libelle", "ouverture", "cloture"]
        widgets = {"ouverture": DATE_WIDGET, "cloture": DATE_WIDGET}


class FenetreExtendForm(forms.Form):
    cloture = forms.DateField(label="Nouvelle date de clôture (incluse)", widget=DATE_WIDGET)


class StartForm(forms.Form):
    territoire = forms.ModelChoiceField(
        label="Territoire de l'action",
        queryset=Territoire.objects.none(),
        help_text="Une action menée sur plusieurs territoires demande une candidature par territoire.",
    )
    autre_action = forms.BooleanField(
        label="Autre action",
        required=False,
        help_text="Cochez si votre structure a déjà une candidature à ce dispositif sur ce territoire pour une "
        "action distincte.",
    )

    def __init__(self, *args, dispositif, **kwargs):
        super().__init__(*args, **kwargs)
        territoires = dispositif.territoires.all()
        self.fields["territoire"].queryset = (territoires if territoires.exists() else Territoire.objects).order_by(
            "nom"
        )


class ProjetForm(forms.ModelForm):
    """Every field is optional in a draft; completeness is checked on deposit."""

    class Meta:
        model = Candidature
        fields = [
            "intitule",
            "description",
            "places",
            "etp",
            "etp_finances",
            "diagnostics",
            "beneficiaires",
            "date_debut",
            "date_fin",
            "partenaires",
            "indicateurs_proposes",
            "engagement_label",
        ]
        widgets = {"date_debut": DATE_WIDGET, "date_fin": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _localize(self.fields["etp"])
        if not self.instance.dispositif.validation_slai_requise:
            del self.fields["engagement_label"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_debut"), cleaned.get("date_fin")
        if start and end and end < start:
            self.add_error("date_fin", "La fin de l'action ne peut pas précéder son début.")
        return cleaned


class BudgetForm(forms.Form):
    """One amount (and a free precision) per account of the Cerfa 12156 layout."""

    def __init__(self, *args, candidature, **kwargs):
        super().__init__(*args, **kwargs)
        lines = {line.compte: line for line in candidature.lignes_budget.all()}
        for code, label in budget.ACCOUNTS.items():
            line = lines.get(code)
            self.fields[f"montant_{code}"] = AmountField(
                label=label,
                required=False,
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=2,
                localize=True,
                initial=line.montant if line else None,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "data-compte": code}),
            )
            self.fields[f"precision_{code}"] = forms.CharField(
                label=f"Précision ({label})", required=False, max_length=200, initial=line.precision if line else ""
            )

    def rows(self, codes):
        return [(self[f"montant_{code}"], self[f"precision_{code}"]) for code in codes]

    def charges(self):
        return self.rows(budget.CHARGE_CODES)

    def produits(self):
        return self.rows(budget.PRODUIT_CODES)

    def contributions(self):
        return self.rows([code for code, _ in budget.CONTRIBUTIONS])

    def amounts(self):
        return {code: self.cleaned_data.get(f"montant_{code}") for code in budget.ACCOUNTS}

    def precisions(self):
        return {code: self.cleaned_data.get(f"precision_{code}", "") for code in budget.ACCOUNTS}


class PersonnelForm(forms.ModelForm):
    class Meta:
        model = Personnel
        fields = ["nom", "fonction", "qualification", "etp", "cv"]
        help_texts = {"cv": UPLOAD_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _localize(self.fields["etp"])
        self.fields["cv"].error_messages["empty"] = "Le fichier est vide."

    def clean_cv(self):
        cv = self.cleaned_data.get("cv")
        if cv:
            validate_office_upload(cv)
        return cv

    def clean_etp(self):
        etp = self.cleaned_data.get("etp")
        if etp is not None and not (0 < etp <= 1):
            raise forms.ValidationError("L'ETP d'une personne est compris entre 0 et 1 (par exemple 0,5).")
        return etp


class PieceForm(forms.Form):
    nature = forms.ChoiceField(label="Pièce")
    fichier = forms.FileField(
        label="Fichier",
        help_text=UPLOAD_HELP,
        error_messages={"empty": "Le fichier est vide.", "required": "Choisissez un fichier."},
    )

    def __init__(self, *args, dispositif, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nature"].choices = [(p, p) for p in dispositif.pieces] + [(AUTRE_PIECE, AUTRE_PIECE)]

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        validate_office_upload(fichier)
        return fichier


class InstructionForm(forms.Form):
    """A step of the instruction (aap.views.instruction_step): the form knows its application and
    gives the keyword arguments of its service."""

    def __init__(self, *args, candidature, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidature = candidature

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class RecevabiliteForm(InstructionForm):
    recevable = forms.TypedChoiceField(
        label="Conclusion",
        choices=[("1", "Recevable"), ("0", "Irrecevable")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    motif = forms.CharField(label="Motif (obligatoire si irrecevable)", required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in RECEVABILITE:
            self.fields[f"point_{code}"] = forms.BooleanField(label=label, required=False)

    def checklist(self):
        return {code: self.cleaned_data.get(f"point_{code}", False) for code, _ in RECEVABILITE}

    def service_kwargs(self):
        data = self.cleaned_data
        return {"checklist": self.checklist(), "recevable": data["recevable"], "motif": data["motif"]}


class RevueForm(InstructionForm):
    analyse_financiere = forms.CharField(
        label="Analyse financière (part du Département, cofinancements, coût par bénéficiaire)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, candidature, **kwargs):
        super().__init__(*args, candidature=candidature, **kwargs)
        for number, (code, label) in enumerate(COHERENCE, start=1):
            self.fields[f"coherence_{code}"] = forms.ChoiceField(
                label=f"{number}. {label}",
                choices=APPRECIATIONS,
                required=False,
                initial=candidature.coherence.get(code, ""),
            )
        self.fields["analyse_financiere"].initial = candidature.analyse_financiere

    def coherence(self):
        return {code: self.cleaned_data.get(f"coherence_{code}", "") for code, _ in COHERENCE}

    def service_kwargs(self):
        return {"coherence": self.coherence(), "analyse_financiere": self.cleaned_data["analyse_financiere"]}


class AvisTerritorialForm(InstructionForm):
    validation = forms.ChoiceField(label="Validation du chef de SLAI", choices=ValidationSlai.choices, required=False)
    avis = forms.ChoiceField(label="Avis du SLAI", choices=AvisSlai.choices, required=False)
    commentaire = forms.CharField(
        label="Commentaire (obligatoire pour un refus ou un avis réservé ou défavorable)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, candidature, **kwargs):
        super().__init__(*args, candidature=candidature, **kwargs)
        if candidature.dispositif.validation_slai_requise:
            del self.fields["avis"]
            self.fields["validation"].required = True
        else:
            del self.fields["validation"]
            self.fields["avis"].required = True

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "avis": data.get("avis", ""),
            "validation": data.get("validation", ""),
            "commentaire": data["commentaire"],
        }


class CorrectionForm(InstructionForm):
    motif = forms.ChoiceField(label="Motif", choices=MotifCorrection.choices, widget=forms.RadioSelect)
    sections = forms.MultipleChoiceField(
        label="Parties rouvertes à la structure",
        choices=Section.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Seules les parties cochées redeviennent modifiables.",
    )
    message = forms.CharField(label="Ce que la structure doit corriger", widget=forms.Textarea(attrs={"rows": 4}))


class PropositionForm(InstructionForm):
    montant = AmountField(
        label="Montant proposé (€)",
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    places = forms.IntegerField(label="Places", min_value=0, required=False)
    etp = forms.DecimalField(
        label="ETP", min_value=Decimal(0), max_digits=6, decimal_places=2, localize=True, required=False
    )
    acte = forms.ChoiceField(label="Acte", choices=Acte.choices, widget=forms.RadioSelect)
    modele_acte = forms.CharField(
        label="Modèle d'acte", required=False, max_length=60, help_text="Par exemple « Modèle d'avenant n° 9 »."
    )
    motif = forms.CharField(label="Motivation", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(InstructionForm):
    retenue = forms.TypedChoiceField(
        label="Décision",
        choices=[("1", "Retenue"), ("0", "Non retenue")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    motif = forms.CharField(label="Motif (obligatoire si non retenue)", required=False, widget=forms.Textarea)


class AnnotationForm(forms.Form):
    texte = forms.CharField(
        label="Annotation privée (jamais visible de la structure)", widget=forms.Textarea(attrs={"rows": 3})
    )


class DemandeAvisForm(forms.Form):
    destinataire = forms.ModelChoiceField(label="Agent sollicité", queryset=User.objects.none())
    question = forms.CharField(label="Question", widget=forms.Textarea(attrs={"rows": 3}))
    echeance = forms.DateField(label="Avis attendu pour le", widget=DATE_WIDGET)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destinataire"].queryset = (
            User.objects.filter(role__in=[Role.DPID, Role.SLAI, Role.ADMIN], is_active=True)
            .exclude(pk=user.pk)
            .order_by("last_name", "first_name")
        )

    def clean_echeance(self):
        echeance = self.cleaned_data["echeance"]
        if echeance < timezone.localdate():
            raise forms.ValidationError("La date attendue ne peut pas être passée.")
        return echeance


class ReponseAvisForm(forms.Form):
    reponse = forms.CharField(label="Votre avis", widget=forms.Textarea(attrs={"rows": 3}))


class QueueFilterForm(forms.Form):
    appel = forms.ModelChoiceField(label="Appel", queryset=AppelAProjets.objects.none(), required=False)
    dispositif = forms.ModelChoiceField(label="Dispositif", queryset=Dispositif.objects.none(), required=False)
    territoire = forms.ModelChoiceField(label="Territoire", queryset=Territoire.objects.none(), required=False)
    etat = forms.ChoiceField(
        label="État",
        choices=[("", "Tous")] + [c for c in EtatCandidature.choices if c[0] != "brouillon"],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appel"].queryset = AppelAProjets.objects.visible_to(user)
        self.fields["dispositif"].queryset = Dispositif.objects.visible_to(user).select_related("appel")
        self.fields["dispositif"].label_from_instance = lambda d: f"{d.appel.annee} – {d.code} {d.libelle}"
        self.fields["territoire"].queryset = Territoire.objects.visible_to(user).order_by("nom")
        if user.scope.is_slai:
            del self.fields["territoire"]
