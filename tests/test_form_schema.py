"""The 申报表's declaration (``form_schema``) against the data dictionary
(``shared/docs/data-dictionary.md``) and the notice's paper form, stated here name by name:
everything else derives from the schema, so a mistake in it must show here."""

from applications import form_schema
from applications.form_schema import Field, Kind, Paper, Section
from applications.models import Application

# The data dictionary's sections and names, in its order.
DICTIONARY = [
    ("一、标准名称", ["standards"]),
    (
        "二、单位信息",
        [
            "unit_name",
            "credit_code",
            "unit_type",
            "main_business",
            "industry",
            "address",
            "postcode",
            "unit_profile",
            "unit_profile_file",
            "related_bodies",
            "body_relation",
        ],
    ),
    (
        "三、推荐起草人",
        [
            "drafter_name",
            "drafter_gender",
            "drafter_birth_date",
            "drafter_ethnicity",
            "drafter_native_place",
            "drafter_political_status",
            "drafter_title",
            "drafter_position",
            "drafter_mobile",
            "drafter_phone",
            "drafter_fax",
            "drafter_email",
            "drafter_resume",
            "drafter_resume_file",
        ],
    ),
    ("四、承诺", ["can_attend_meetings", "can_provide_funding", "can_provide_technical_support"]),
    (
        "五、单位意见与盖章",
        [
            "agrees_to_declaration",
            "responsible_person",
            "signed_on",
            "seal_scan",
            "privacy_consent",
            "drafter_name_public_consent",
            "contact_email",
        ],
    ),
]
# The dictionary's *beyond*: not on the paper form.
BEYOND = {
    "credit_code",
    "related_bodies",
    "body_relation",
    "privacy_consent",
    "drafter_name_public_consent",
    "contact_email",
}
# Optional even for a submission: the two attachments, the fax, and the applicant's relation
# to the organising bodies (回避, issue 16).
OPTIONAL = {
    "related_bodies",
    "body_relation",
    "unit_profile_file",
    "drafter_resume_file",
    "drafter_fax",
    "drafter_name_public_consent",
}
# Needed even for a draft: who the unit is and where to send its private link.
FOR_DRAFT = ("unit_name", "contact_email")
# Erased by the purge of units that were not selected (PIPL), besides every file: all that
# is said of the drafter, the responsible person and the contact e-mail.
DRAFTER = dict(DICTIONARY)["三、推荐起草人"]
PERSONAL = (
    *[name for name in DRAFTER if name != "drafter_resume_file"],
    "responsible_person",
    "contact_email",
)
FILES = ("unit_profile_file", "drafter_resume_file", "seal_scan")
# The paper table of the notice's attachment, row by row (the credit code beyond it).
PAPER = [
    ("grid", ["standards"]),
    ("grid", ["unit_name", "unit_type"]),
    ("grid", ["credit_code"]),
    ("grid", ["main_business", "industry"]),
    ("grid", ["address", "postcode"]),
    ("grid", ["drafter_name", "drafter_gender", "drafter_birth_date"]),
    ("grid", ["drafter_ethnicity", "drafter_native_place", "drafter_political_status"]),
    ("grid", ["drafter_title", "drafter_position", "drafter_mobile"]),
    ("grid", ["drafter_phone", "drafter_fax", "drafter_email"]),
    ("long", ["unit_profile", "unit_profile_file"]),
    ("long", ["drafter_resume", "drafter_resume_file"]),
    ("questions", ["can_attend_meetings", "can_provide_funding", "can_provide_technical_support"]),
    ("opinion", ["agrees_to_declaration", "responsible_person", "signed_on"]),
]


def test_sections_and_names_are_the_data_dictionarys():
    declared = [(str(s.title), [f.name for f in s.fields]) for s in form_schema.SECTIONS]
    assert declared == DICTIONARY


def test_what_each_field_needs_and_what_becomes_of_it():
    names = [name for _title, section in DICTIONARY for name in section]
    assert {f.name for f in form_schema.FIELDS if f.beyond} == BEYOND
    assert tuple(n for n in names if n not in OPTIONAL) == form_schema.REQUIRED_FOR_SUBMIT
    assert form_schema.REQUIRED_FOR_DRAFT == FOR_DRAFT
    assert form_schema.PERSONAL_FIELDS == PERSONAL
    assert form_schema.FILE_FIELDS == FILES
    assert {f.name for f in form_schema.FIELDS if not f.printed} == {
        "related_bodies",
        "body_relation",
        "seal_scan",
        "privacy_consent",
        "drafter_name_public_consent",
        "contact_email",
    }


def test_kinds_follow_the_dictionarys_types():
    kinds = {f.name: f.kind for f in form_schema.FIELDS}
    assert [n for n, k in kinds.items() if k is Kind.CHOICE] == [
        "unit_type",
        "industry",
        "drafter_gender",
    ]
    # GB/T 3304 and GB/T 4762: exported with their code in front (01 汉族, 13 群众).
    assert [n for n, k in kinds.items() if k is Kind.CODE] == [
        "drafter_ethnicity",
        "drafter_political_status",
    ]
    assert [n for n, k in kinds.items() if k is Kind.DATE] == ["drafter_birth_date", "signed_on"]
    assert [n for n, k in kinds.items() if k is Kind.TEXT] == [
        "unit_profile",
        "body_relation",
        "drafter_resume",
    ]
    # The call's organising bodies the applicant relates to: their pks, shown by name.
    assert [n for n, k in kinds.items() if k is Kind.BODIES] == ["related_bodies"]
    assert [n for n, k in kinds.items() if k is Kind.NUMBER] == [
        "credit_code",
        "postcode",
        "drafter_mobile",
        "drafter_phone",
        "drafter_fax",
    ]
    assert [n for n, k in kinds.items() if k is Kind.EMAIL] == ["drafter_email", "contact_email"]
    assert [n for n, k in kinds.items() if k is Kind.TICK] == [
        "agrees_to_declaration",
        "privacy_consent",
        "drafter_name_public_consent",
    ]
    assert [n for n, k in kinds.items() if k is Kind.FILE] == list(FILES)


def test_labels_are_the_models_verbose_names_the_paper_spaces_some_out():
    assert Application.label("drafter_gender") == "性别"
    assert form_schema.BY_NAME["drafter_gender"].paper_text("性别") == "性　别"
    assert form_schema.BY_NAME["standards"].paper_text(Application.label("standards")) == "标准名称"


def test_the_paper_table_is_the_notices_row_by_row_and_every_grid_row_is_full():
    rows = [(r.kind, [c.field.name for c in r.cells]) for r in form_schema.PAPER_ROWS]
    assert rows == PAPER
    for paper_row in form_schema.PAPER_ROWS:
        if paper_row.kind == "grid":
            assert sum(1 + c.colspan for c in paper_row.cells) == form_schema.PAPER_COLUMNS
    labels = [
        c.field.paper_text(Application.label(c.field.name))
        for r in form_schema.PAPER_ROWS
        if r.kind == "grid"
        for c in r.cells
    ]
    assert labels[:3] == ["标准名称", "单位名称", "单位性质"]
    assert "性　别" in labels and "民族" in labels and "手　机" in labels


def test_a_cell_takes_the_first_row_with_room_and_a_short_row_reaches_the_edge():
    made_up = form_schema.section(
        "made_up",
        "made up",
        form_schema.row(
            Field("wide", Kind.LINE, 8, paper_span=3),  # 4 of the 6 columns
            Field("wider", Kind.LINE, 4, paper_span=5),  # 6: a row of its own
        ),
        Field("narrow", Kind.CHOICE, paper_span=1),  # 2: beside "wide"
        Field("alone", Kind.LINE, paper_span=1),  # 2: a new row, widened to the edge
        Field("story", Kind.TEXT, paper=Paper.LONG),
        Field("story_file", Kind.FILE, paper=Paper.ATTACHED),
    )
    rows = form_schema.paper_rows([made_up])
    assert [(r.kind, [(c.field.name, c.colspan) for c in r.cells]) for r in rows] == [
        ("grid", [("wide", 3), ("narrow", 1)]),
        ("grid", [("wider", 5)]),
        ("grid", [("alone", 5)]),
        ("long", [("story", 6), ("story_file", 6)]),
    ]


def test_sections_group_rows_and_fields():
    assert isinstance(form_schema.SECTIONS[0], Section)
    assert [s.key for s in form_schema.SECTIONS] == [
        "standards",
        "unit",
        "drafter",
        "commitments",
        "declaration",
    ]
    assert form_schema.BY_NAME["unit_profile"].paper is Paper.LONG
