from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin, with the portal's admin site (titles, optional TOTP)."""

    default_site = "chiefquality.admin_site.PortalAdminSite"
