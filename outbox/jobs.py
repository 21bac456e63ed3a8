"""The task queue's API: Django 6's ``django.tasks``, or the django-tasks backport before it."""

try:
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # Django 5.2
    from django_tasks import task  # type: ignore[no-redef,unused-ignore]

__all__ = ["task"]
