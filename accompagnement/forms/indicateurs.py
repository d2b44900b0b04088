from django import forms
from django.utils import timezone

from accompagnement.indicateurs import COLONNE_PAR_CODE, GROUPES, MAX_MOIS, Periode
from accompagnement.models import TypeAccompagnement
from portal.core.dates import add_months
from portal.referentiels.models import Structure, Territoire

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def grouper_par_defaut(scope) -> str:
    """A structure sees its referents, the SLAI its structures, the Département its territories."""
    return "referent" if scope.is_structure_member else "structure" if scope.is_slai else "territoire"


class IndicateursForm(forms.Form):
    """Period, grouping and filters of the indicators (GET). Empty means the defaults: the last
    12 complete months, grouped by referent for a structure, by structure for a SLAI, by
    territory for the Département."""

    du = forms.DateField(label="Du", required=False, widget=DATE_WIDGET)
    au = forms.DateField(label="Au (inclus)", required=False, widget=DATE_WIDGET)
    grouper = forms.ChoiceField(label="Grouper par", required=False, choices=[(k, v[1]) for k, v in GROUPES.items()])
    type_accompagnement = forms.ModelChoiceField(
        label="Type d'accompagnement", required=False, queryset=TypeAccompagnement.objects.all(), empty_label="Tous"
    )
    territoire = forms.ModelChoiceField(label="Territoire", required=False, queryset=None, empty_label="Tous")
    structure = forms.ModelChoiceField(label="Structure", required=False, queryset=None, empty_label="Toutes")
    tri = forms.ChoiceField(
        required=False,
        choices=[("", "")] + [(c, c) for c in COLONNE_PAR_CODE] + [(f"-{c}", c) for c in COLONNE_PAR_CODE],
        widget=forms.HiddenInput,
    )

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        scope = user.scope
        self.scope = scope
        self.fields["territoire"].queryset = (
            Territoire.objects.filter(pk=scope.territoire_id) if scope.is_slai else Territoire.objects.all()
        )
        self.fields["structure"].queryset = Structure.objects.visible_to(user).order_by("nom")
        if scope.is_structure_member:
            # A structure's members see their own structure only: the filter would be a no-op.
            del self.fields["structure"]

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        default = Periode.douze_derniers_mois(today)
        du, au = cleaned.get("du") or default.du, cleaned.get("au") or default.au
        # Figures are known up to today: a later end would count the future as empty months.
        au = min(au, today)
        if du > today:
            self.add_error("du", "La période ne peut pas commencer après aujourd'hui.")
        elif du > au:
            self.add_error("au", "La fin de la période doit suivre son début.")
        elif add_months(du, MAX_MOIS) <= au:
            self.add_error("au", f"La période est limitée à {MAX_MOIS} mois.")
        cleaned["periode"] = Periode(du=du, au=au)
        if not cleaned.get("grouper"):
            cleaned["grouper"] = grouper_par_defaut(self.scope)
        return cleaned

    def filter(self, queryset, *, garde=False):
        """The chosen filters, on orientations or (`garde`) on the kept monthly figures."""
        data = self.cleaned_data
        if garde:  # plain ids
            for name in ("type_accompagnement", "territoire", "structure"):
                if data.get(name):
                    queryset = queryset.filter(**{f"{name}_id": data[name].pk})
            return queryset
        if data.get("type_accompagnement"):
            queryset = queryset.filter(type_accompagnement=data["type_accompagnement"])
        if data.get("territoire"):
            queryset = queryset.filter(territoire=data["territoire"])  # the person's, kept on the orientation
        if data.get("structure"):
            queryset = queryset.filter(structure=data["structure"])
        return queryset
