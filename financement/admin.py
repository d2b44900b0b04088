from django.contrib import admin

from financement.models import (
    Article,
    AutorisationEngagement,
    Deliberation,
    LigneAnnexe,
    LigneBudgetaire,
    SessionCommissionPermanente,
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
