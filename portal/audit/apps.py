from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "portal.audit"
    label = "audit"
    verbose_name = "Journal d'accès"

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from portal.audit.services import lockout_record, login_failed_record

        user_login_failed.connect(login_failed_record, dispatch_uid="portal_audit_login_failed")
        user_locked_out.connect(lockout_record, dispatch_uid="portal_audit_locked_out")
