"""Admin bases shared by the registrations."""

from django.contrib import admin
from typing_extensions import override


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nobody adds, changes or deletes these rows in admin; services write them."""

    @override
    def has_add_permission(self, request):
        return False

    @override
    def has_change_permission(self, request, obj=None):
        return False

    @override
    def has_delete_permission(self, request, obj=None):
        return False
