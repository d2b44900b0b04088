from django.contrib import admin
from django.db import models

from portal.referentiels.models import Contact, Referent, SecteurDpid, Structure, Territoire


@admin.register(SecteurDpid)
class SecteurDpidAdmin(admin.ModelAdmin):
    search_fields = ["nom"]


@admin.register(Territoire)
class TerritoireAdmin(admin.ModelAdmin):
    list_display = ["nom", "code", "secteur", "bassin_minier"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["nom", "forme_juridique", "siret", "commune"]
    list_filter = ["forme_juridique", "territoires"]
    search_fields = ["nom", "siret"]
    filter_horizontal = ["territoires"]
    inlines = [ContactInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Referent)
class ReferentAdmin(admin.ModelAdmin):
    list_display = ["nom", "prenom", "structure", "type_accompagnement", "etp", "date_arrivee", "date_depart"]
    list_filter = ["type_accompagnement"]
    search_fields = ["nom", "prenom", "structure__nom"]
    autocomplete_fields = ["structure", "user"]
    list_select_related = ["structure"]
    formfield_overrides = {models.DecimalField: {"localize": True}}  # "0,8", as people type it

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
