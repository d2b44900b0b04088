import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType

from portal.audit.enums import Action
from portal.audit.models import AuditEntry

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditEntryFilter(django_filters.FilterSet):
    user_email = django_filters.CharFilter(label="Utilisateur (e-mail)", lookup_expr="icontains")
    content_type = django_filters.ModelChoiceFilter(
        label="Type d'objet",
        queryset=ContentType.objects.filter(
            pk__in=AuditEntry.objects.values("content_type").distinct().order_by()
        ).order_by("app_label", "model"),
        empty_label="Tous",
    )
    object_id = django_filters.CharFilter(label="Identifiant de l'objet")
    action = django_filters.ChoiceFilter(label="Action", choices=Action.choices, empty_label="Toutes")
    du = django_filters.DateFilter(label="Du", field_name="at", lookup_expr="date__gte", widget=DATE_WIDGET)
    au = django_filters.DateFilter(label="Au (inclus)", field_name="at", lookup_expr="date__lte", widget=DATE_WIDGET)

    class Meta:
        model = AuditEntry
        fields = []
