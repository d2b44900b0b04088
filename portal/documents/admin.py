from django.contrib import admin

from portal.documents.models import GeneratedDocument


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    list_display = ["kind", "object_id", "version", "status", "page_count", "issued_at", "requested_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [field.name for field in GeneratedDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
