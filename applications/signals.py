"""Cache invalidation only: when the call, its standards or its bodies change, the cached
public pages are forgotten (applications.page_cache). No business rules live here."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from applications.applicant.page_cache import public_pages_changed
from applications.models import Call, OrganisingBody, Standard


@receiver([post_save, post_delete], sender=Call)
@receiver([post_save, post_delete], sender=Standard)
@receiver([post_save, post_delete], sender=OrganisingBody)
@receiver(m2m_changed, sender=Call.organising_bodies.through)
def _call_changed(**kwargs):
    public_pages_changed()
