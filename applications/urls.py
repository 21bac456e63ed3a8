from django.urls import path, re_path

from applications.applicant import result, views
from applications.documents import views as documents

app_name = "applications"

private = "a/<str:reference>/<str:token>/"

call = "calls/<slug:code>/"

urlpatterns = [
    path("", views.home, name="home"),
    path(call, views.call_detail, name="call"),
    path(f"{call}apply/", views.apply, name="apply"),
    path(f"{call}apply/check-mail/", views.check_mail, name="check_mail"),
    path("confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path(f"{call}result/", result.result, name="result"),
    path(f"{call}result/object/", result.objection, name="objection"),
    # From before each call had its own address: to the open call, or to the list.
    path("apply/", views.legacy_apply, name="legacy_apply"),
    path("link/", views.resend_link, name="resend_link"),
    # A link pasted with the sentence's end after it ("…/。", "…)"): to the link itself.
    re_path(
        r"^a/(?P<reference>[^/]+)/(?P<token>[A-Za-z0-9_-]+[^A-Za-z0-9_/-]+)/?$",
        views.private_link_tail,
    ),
    re_path(
        r"^a/(?P<reference>[^/]+)/(?P<token>[A-Za-z0-9_-]+)/(?P<tail>[^A-Za-z0-9_/-]+)/?$",
        views.private_link_tail,
    ),
    path(private, views.private, name="private"),
    path(f"{private}edit/", views.edit, name="edit"),
    path(f"{private}withdraw/", views.withdraw, name="withdraw"),
    path(f"{private}print/", views.print_form, name="print"),
    path(f"{private}files/<str:field>/", views.private_file, name="private_file"),
    path(f"{private}links/stop-others/", views.stop_other_links, name="stop_other_links"),
    path(f"{private}pages/", views.add_seal_page, name="add_seal_page"),
    path(f"{private}pages/<int:page_id>/", views.private_seal_page, name="seal_page"),
    path(f"{private}pages/<int:page_id>/remove/", views.remove_seal_page, name="remove_seal_page"),
    path(
        "organiser/pages/<int:pk>/<int:page_id>/",
        views.organiser_seal_page,
        name="organiser_seal_page",
    ),
    path("organiser/files/<int:pk>/<str:field>/", views.organiser_file, name="organiser_file"),
    # Documents (applications.documents)
    path(f"{private}form.pdf", documents.applicant_form_pdf, name="form_pdf"),
    path(
        "organiser/applications/<int:pk>/form.pdf",
        documents.organiser_form_pdf,
        name="organiser_form_pdf",
    ),
    path(
        "organiser/calls/<slug:code>/selected.pdf",
        documents.organiser_selected_pdf,
        name="organiser_selected_pdf",
    ),
    path("organiser/applications.<str:fmt>", documents.organiser_export, name="organiser_export"),
    path(
        "organiser/calls/<slug:code>/reviews.xlsx",
        documents.organiser_review_record,
        name="organiser_review_record",
    ),
]
