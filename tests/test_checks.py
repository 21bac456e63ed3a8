"""The system check that keeps the 申报表's declaration and the model together."""

import dataclasses

from django.core import checks

from applications import form_schema
from applications.checks import form_schema_errors
from applications.form_schema import Field, Kind


def without(name: str) -> tuple:
    """The schema's sections with ``name`` left out."""
    return tuple(
        dataclasses.replace(
            section,
            rows=tuple(
                dataclasses.replace(row, fields=tuple(f for f in row.fields if f.name != name))
                for row in section.rows
            ),
        )
        for section in form_schema.SECTIONS
    )


def with_row(section_index: int, *fields: Field) -> tuple:
    """The schema's sections with one more row of ``fields`` in the given section."""
    sections = list(form_schema.SECTIONS)
    section = sections[section_index]
    sections[section_index] = dataclasses.replace(
        section, rows=(*section.rows, form_schema.row(*fields))
    )
    return tuple(sections)


def ids(errors) -> list[tuple[str, str]]:
    return [(e.id, e.msg) for e in errors]


def test_the_declared_form_passes_the_check():
    assert form_schema_errors(form_schema.SECTIONS) == []
    ours = [m for m in checks.run_checks() if m.id.startswith("applications.")]
    assert ours == []


def test_an_editable_field_in_no_section_is_an_error():
    errors = form_schema_errors(without("drafter_fax"))
    assert ids(errors) == [
        (
            "applications.E001",
            "Application.drafter_fax is in no section of the form (form_schema.SECTIONS).",
        )
    ]
    assert all(isinstance(e, checks.Error) for e in errors)


def test_a_field_in_two_sections_is_an_error():
    errors = form_schema_errors(with_row(0, form_schema.BY_NAME["contact_email"]))
    assert ids(errors) == [
        (
            "applications.E002",
            "Application.contact_email is declared more than once in form_schema.SECTIONS.",
        )
    ]


def test_a_name_the_model_does_not_have_is_an_error():
    errors = form_schema_errors(with_row(1, Field("no_such_field", Kind.LINE)))
    assert ids(errors) == [
        (
            "applications.E003",
            "form_schema.SECTIONS declares 'no_such_field', which is no field of Application.",
        )
    ]
