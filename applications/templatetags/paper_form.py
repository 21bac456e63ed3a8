"""The 申报表's paper table, shared by the print view and the PDF
(``templates/applications/_paper_table.html``): its rows from ``form_schema``, its values."""

from django import template

from applications import form_schema
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
        return getattr(application, f"get_{field.name}_display")()
    if field.kind is Kind.FILE:
        return application.original_name(field.name) if getattr(application, field.name) else ""
    if field.kind is Kind.STANDARDS:
        chosen = {standard.pk for standard in getattr(application, field.name).all()}
        return [(standard, standard.pk in chosen) for standard in application.call.standards.all()]
    return getattr(application, field.name)
