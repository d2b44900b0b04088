from django.contrib import admin

from financement.models import (
    Article,
    AutorisationEngagement,
    Avenant,
    Convention,
    Deliberation,
    LigneAnnexe,
    LigneBudgetaire,
    SessionCommissionPermanente,
    Versement,
)


class AutorisationInline(admin.TabularInline):
    model = AutorisationEngagement
    extra = 0


@admin.register(LigneBudgetaire)
class LigneBudgetaireAdmin(admin.ModelAdmin):
    list_display = ["code_operation", "imputation", "libelle"]
    inlines = [AutorisationInline]


@admin.register(SessionCommissionPermanente)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["date", "phase", "annee_appel", "libelle"]


class ArticleInline(admin.TabularInline):
    model = Article
    extra = 0


@admin.register(Deliberation)
class DeliberationAdmin(admin.ModelAdmin):
    list_display = ["numero", "date", "intitule", "adoptee"]
    inlines = [ArticleInline]


@admin.register(LigneAnnexe)
class LigneAnnexeAdmin(admin.ModelAdmin):
    list_display = ["deliberation", "ordre", "thematique", "operation", "structure", "montant", "retenue"]
    list_filter = ["deliberation", "thematique"]
    list_select_related = ["deliberation", "structure"]


class AvenantInline(admin.TabularInline):
    model = Avenant
    extra = 0
    fields = ["numero", "numero_modele", "articles_modifies", "montant_supplementaire", "etat"]
    readonly_fields = ["etat"]


@admin.register(Convention)
class ConventionAdmin(admin.ModelAdmin):
    """States change only through the portal's transitions (read-only here)."""

    list_display = ["numero", "structure", "date_debut", "date_fin", "montant_max", "etat"]
    list_filter = ["etat"]
    list_select_related = ["structure"]
    readonly_fields = ["etat", "a_signer_at", "fin_le", "motif_fin"]
    inlines = [AvenantInline]


@admin.register(Versement)
class VersementAdmin(admin.ModelAdmin):
    """Payments are recorded by the DPID through the portal (its checks); the admin only reads."""

    list_display = ["convention", "echeance", "montant", "date_versement", "reference_mandat"]
    list_select_related = ["convention", "echeance"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
