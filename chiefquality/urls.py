from django.contrib import admin
from django.urls import include, path

from applications import views

admin.site.site_header = "首席质量官系列团体标准起草单位征集 · 管理"
admin.site.site_title = "起草单位征集管理"
admin.site.index_title = "管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switch
    path("", include("applications.urls")),
]
