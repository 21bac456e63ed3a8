"""The organisers' admin site: our titles, and TOTP logins when ORGANISER_OTP is set."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm


class TOTPAdminAuthenticationForm(OTPAdminAuthenticationForm):
    """django-otp's admin login form that needs no device pick when there is only one.

    django-otp asks for an explicit device so that a wrong code is not held against every
    device of the account; organisers have one authenticator each, so take it.
    """

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True))
            if len(devices) == 1:
                device = devices[0]
        return device


class PortalAdminSite(admin.AdminSite):
    site_header = _("团体标准起草单位征集 · 管理")
    site_title = _("起草单位征集管理")
    index_title = _("管理")
    # The change list of applications is wide (one column per organising body).
    enable_nav_sidebar = False

    @property
    def login_form(self):
        if settings.ORGANISER_OTP_REQUIRED:
            return TOTPAdminAuthenticationForm
        return AdminAuthenticationForm

    @property
    def login_template(self):
        return "admin/login_otp.html" if settings.ORGANISER_OTP_REQUIRED else None

    def has_permission(self, request):
        """Staff, and verified by a TOTP device when the setting asks for it."""
        if not super().has_permission(request):
            return False
        return not settings.ORGANISER_OTP_REQUIRED or request.user.is_verified()


def organiser_verified(request) -> bool:
    """For organiser views outside the admin: the same rule as the admin site's."""
    return admin.site.has_permission(request)
