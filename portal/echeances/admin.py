from django.contrib import admin

from portal.echeances.models import EcheanceManuelle, Notification, Rappel


@admin.register(EcheanceManuelle)
class EcheanceManuelleAdmin(admin.ModelAdmin):
    list_display = ["titre", "structure", "date_echeance", "done_at"]
    list_filter = ["done_at"]
    search_fields = ["titre", "structure__nom"]
    list_select_related = ["structure"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Rappel)
class RappelAdmin(admin.ModelAdmin):
    list_display = ["code", "object_id", "recipient", "offset_days", "due_date", "sent_at"]
    list_filter = ["code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "created_at", "read_at", "emailed_at"]
    search_fields = ["title", "recipient__email"]

    def has_add_permission(self, request):
        return False
