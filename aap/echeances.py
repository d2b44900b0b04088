"""Reminders of the calls for projects."""
