"""The system checks of applications.checks: the one that keeps the 申报表's declaration and
the model together, and the deploy check of the PDFs' fonts, as fc-list lists them (PATH is
pointed at a folder of our own: with a fake ``fc-list`` in it, a machine with other fonts or
none; without one, a machine without fontconfig's tools)."""

import dataclasses

import pytest
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


# --- the fonts of the PDFs (deploy) ---------------------------------------------------------

FONTS = {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC"}
FONT_CHECKS = ("chiefquality.E001", "chiefquality.W002")


@pytest.fixture
def bare_path(tmp_path, monkeypatch, settings):
    settings.DOCUMENT_FONTS = FONTS
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


@pytest.fixture
def fc_list(bare_path):
    """``fc_list(output)``: fc-list now prints ``output``."""

    def install(output: str) -> None:
        script = bare_path / "fc-list"
        assert "'" not in output
        script.write_text(f"#!/bin/sh\nprintf '%s' '{output}'\n")  # a builtin: PATH is bare
        script.chmod(0o755)

    return install


def font_messages(*, deploy=True):
    found = checks.run_checks(include_deployment_checks=deploy)
    return [message for message in found if message.id in FONT_CHECKS]


def test_the_fonts_of_the_pdfs_are_installed_here(settings):
    settings.DOCUMENT_FONTS = FONTS

    assert font_messages() == []


def test_an_empty_font_list_is_an_error(fc_list):
    fc_list("")

    [error] = font_messages()

    assert (error.level, error.id) == (checks.ERROR, "chiefquality.E001")
    assert "Noto Serif CJK SC, Noto Sans CJK SC" in error.msg
    assert error.hint == "Install the Debian package fonts-noto-cjk."


def test_other_fonts_do_not_count(fc_list):
    fc_list("DejaVu Sans\nNoto Sans CJK JP,Noto Sans CJK JP Regular\nnoto sans cjk sc\n")

    [error] = font_messages()

    assert error.id == "chiefquality.E001"
    assert "families Noto Serif CJK SC:" in error.msg


def test_without_fc_list_whether_the_fonts_are_there_is_unknown(bare_path):
    assert not (bare_path / "fc-list").exists()

    [warning] = font_messages()

    assert (warning.level, warning.id) == (checks.WARNING, "chiefquality.W002")
    assert warning.hint == "Install the Debian package fontconfig."


def test_the_font_check_runs_only_for_a_deploy(fc_list):
    fc_list("")

    assert font_messages(deploy=False) == []
    assert [message.id for message in font_messages()] == ["chiefquality.E001"]
