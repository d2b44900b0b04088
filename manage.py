#!/usr/bin/env python
import os
import secrets
import sys

# Offline tools that sign nothing (no session, no token): they run without the production
# SECRET_KEY, with a throwaway one. Everything else still requires SECRET_KEY outside DEBUG and demo mode.
OFFLINE_COMMANDS = {
    "grade_cer",
    "import_orientations",
    "makemigrations",
    "help",
    "export_deliberation",
    "export_subventions",
}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        os.environ.setdefault("SECRET_KEY", "offline-" + secrets.token_urlsafe(32))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
