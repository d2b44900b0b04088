from django import forms
from django.utils import timezone

from portal.echeances.models import EcheanceManuelle, PreferenceNotification
from portal.referentiels.models import Structure


class EcheanceManuelleForm(forms.ModelForm):
    class Meta:
        model = EcheanceManuelle
        fields = ["structure", "titre", "description", "date_echeance"]
        widgets = {"date_echeance": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.visible_to(user).order_by("nom")

    def clean_date_echeance(self):
        value = self.cleaned_data["date_echeance"]
        if value < timezone.localdate():
            raise forms.ValidationError("La date d'échéance ne peut pas être déjà passée.")
        return value


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = PreferenceNotification
        fields = ["resume_quotidien"]
