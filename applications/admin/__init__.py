"""The organisers' side, in Django's admin: registrations, the application admin (review,
decide, the selected list), its forms, filters and display helpers. Importing this package
registers the models (Django's admin autodiscovery does)."""

from applications.admin import applications, calendar, calls, publicity, registrations

__all__ = ["applications", "calendar", "calls", "publicity", "registrations"]
