"""Cache invalidation only: when the call, its standards or its bodies change, the cached
public pages are forgotten (applications.public_pages). No business rules live here."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from applications.public_pages import public_pages_changed

# Named by "app_label.Model": the models need not be loaded when the app connects these.
CHANGES = [
    (post_save, "applications.Call"),
    (post_delete, "applications.Call"),
    (post_save, "applications.Standard"),
    (post_delete, "applications.Standard"),
    (post_save, "applications.OrganisingBody"),
    (post_delete, "applications.OrganisingBody"),
    (m2m_changed, "applications.Call_organising_bodies"),
    (post_save, "applications.Question"),
    (post_delete, "applications.Question"),
]


def _call_changed(**kwargs):
    public_pages_changed()


def connect() -> None:
    """Called once from AppConfig.ready."""
    for signal, sender in CHANGES:
        signal.connect(_call_changed, sender=sender, dispatch_uid=f"public_pages:{sender}")
