"""The 申报表 in templates, laid out by ``form_schema``: the paper table shared by the print
view and the PDF (``applications/_paper_table.html``) and the private page's summary
(``applications/_summary.html``)."""

from django import template

from applications import form_schema, queries, stamp, viewer
from applications.form_schema import Kind
from applications.models import Application

register = template.Library()


@register.simple_tag
def paper_rows() -> tuple[form_schema.PaperRow, ...]:
    return form_schema.PAPER_ROWS


@register.simple_tag
def paper_label(field: form_schema.Field) -> str:
    return field.paper_text(Application.label(field.name))


@register.simple_tag
def paper_value(application, field: form_schema.Field):
    """A field's value as the paper form prints it: a choice by its label, a file by the name
    it had on the applicant's computer, the standards as (standard, chosen) in the call's
    order; any other value as it is."""
    if field.kind in (Kind.CHOICE, Kind.CODE):
        return _display(application, field)
    if field.kind is Kind.FILE:
        return application.original_name(field.name) if getattr(application, field.name) else ""
    if field.kind is Kind.STANDARDS:
        chosen = {standard.pk for standard in getattr(application, field.name).all()}
        return [(standard, standard.pk in chosen) for standard in application.call.standards.all()]
    return getattr(application, field.name)


@register.simple_tag
def summary_sections() -> list[tuple[form_schema.Section, list[form_schema.Field]]]:
    """Each section with the fields the summary shows (the files have a list of their own)."""
    return [
        (section, [f for f in section.fields if f.summary and f.kind is not Kind.FILE])
        for section in form_schema.SECTIONS
    ]


@register.simple_tag
def summary_label(field: form_schema.Field):
    return field.summary_label or Application.label(field.name)


@register.simple_tag
def field_label(field: form_schema.Field):
    return Application.label(field.name)


@register.simple_tag
def summary_value(application, field: form_schema.Field):
    """A field's value in the summary: a choice by its label, the standards chosen."""
    if field.kind in (Kind.CHOICE, Kind.CODE):
        return _display(application, field)
    if field.kind is Kind.STANDARDS:
        return list(getattr(application, field.name).all())
    if field.kind is Kind.BODIES:
        return "、".join(b.name for b in queries.declared_bodies(application, field.name))
    return getattr(application, field.name)


def _display(application, field: form_schema.Field) -> str:
    return getattr(application, f"get_{field.name}_display")()


@register.simple_tag
def extra_answers(application, hidden=False, questions=None, files=None):
    """(label, answer as read) for each of the call's own questions, in their order; hidden
    questions only with ``hidden`` (the organisers' view). ``questions``: the call's, when
    the view has them already. ``files``: by question pk, what to show for a file answered
    instead of its name (the admin's download link and inline view)."""
    answers = application.extra_answers or {}
    if not isinstance(questions, list):  # not given (an unknown variable renders as "")
        questions = application.call.questions.all()
    shown = files if isinstance(files, dict) else {}
    return [
        (
            question.localized_label,
            shown.get(str(question.pk)) or question.display(answers.get(str(question.pk))),
        )
        for question in questions
        if hidden or not question.hidden
    ]


@register.simple_tag
def scan_missing_pages(application) -> str:
    """The pages of the current version a partial seal scan lacks: "2、3"."""
    return stamp.missing_pages(application)


@register.filter
def has_thumbnail(fieldfile) -> bool:
    """Whether a stored scan is a picture the private page can show small (a checked PNG or
    JPEG, or a HEIC shown as its JPEG rendition); a PDF is not pictured."""
    return bool(fieldfile) and (viewer.shown_type(fieldfile.name) or "").startswith("image/")
