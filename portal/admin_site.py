"""The portal's admin site: Django's, with the editor's desk as its start page (portal.desk)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's site, in INSTALLED_APPS in its place."""

    default_site = "portal.admin_site.PortalAdminSite"


class PortalAdminSite(admin.AdminSite):
    site_header = "Child Online Safety Portal — editors"
    site_title = "Portal admin"
    index_title = "Your desk"
    index_template = "admin/portal/desk_index.html"

    def index(self, request, extra_context=None):
        from .desk import editor_desk

        extra_context = {**(extra_context or {}), "desk": editor_desk(request.user)}
        return super().index(request, extra_context)
