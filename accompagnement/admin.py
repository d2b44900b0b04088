from django.contrib import admin
from django.db import models

from accompagnement.models import TypeAccompagnement


@admin.register(TypeAccompagnement)
class TypeAccompagnementAdmin(admin.ModelAdmin):
    """The kinds of accompaniment, their ratio and their delays: each Département adjusts them
    here. The code is read by the portal (équilibré rules), so it is fixed once created, and a
    kind is withdrawn from new orientations by unticking "proposé aux orientations", never
    deleted (orientations keep it). New delays apply to orientations created afterwards."""

    list_display = [
        "libelle",
        "code",
        "places_par_etp",
        "places_par_etp_min",
        "delai_premier_rdv_jours",
        "delai_cer_mois",
        "actif",
    ]
    list_filter = ["actif"]
    formfield_overrides = {models.DecimalField: {"localize": True}}  # "62,5", as people type it
    search_fields = ["libelle", "code"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False
