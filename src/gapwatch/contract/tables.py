"""The gapwatch data contract v1 as data: every table, column, code set and key.

Source: ../shared/design/DATA_MODEL.md (binding). Table and column names here are a public
contract: add, never rename or remove. ``docs/data-model.md`` is generated from this module
(``gapwatch docs data-model``) and a test fails when the two differ.

Keys, plausibility ranges and date rules are gapwatch's own reading of the contract; where the
contract is silent they are documented as such in docs/data-model.md.
"""

from __future__ import annotations

from gapwatch.contract.schema import Column, DateRule, ForeignKey, Kind, RowCheck, Table

# Short constructors keep the table definitions readable.


def req(name: str, kind: Kind, description: str, example: str, **kw: object) -> Column:
    return Column(name, kind, True, description, example, **kw)  # type: ignore[arg-type]


def opt(name: str, kind: Kind, description: str, example: str, **kw: object) -> Column:
    return Column(name, kind, False, description, example, **kw)  # type: ignore[arg-type]


def ordered(first: str, then: str, word: str = "before") -> RowCheck:
    """``then`` may not be ``word`` (before/below) ``first``; checked when both are given."""
    return RowCheck(
        column=then,
        invalid_when=f"{then} < {first}",
        reason=f"format('{then} ({{}}) is {word} {first} ({{}})', {then}, {first})",
        description=f"`{then}` may not be {word} `{first}`.",
    )


def required_unless(column: str, table_name: str) -> RowCheck:
    return RowCheck(
        column=column,
        invalid_when=f"{column} IS NULL",
        reason=f"'{column} is required when the bundle has no {table_name} table'",
        description=f"`{column}` is required unless `{table_name}` is given.",
        unless_table=table_name,
    )


def fk(cols: str, table: str, ref: str | None = None) -> ForeignKey:
    names = tuple(cols.split(","))
    return ForeignKey(names, table, tuple((ref or cols).split(",")))


SCHOOL_YEAR = req(
    "school_year", Kind.YEAR, "School year, named by its spring year (2025 = 2024-25).", "2025",
    low=1990, high=2100,
)
STUDENT_ID = req("student_id", Kind.ID, "District student identifier.", "100234")
SCHOOL_ID = req("school_id", Kind.ID, "School identifier (as in `schools`).", "0101")

SCHOOLS = Table(
    name="schools",
    required=True,
    description="One row per school in the district.",
    columns=(
        req("school_id", Kind.ID, "School identifier; leading zeros matter.", "0101"),
        req("school_name", Kind.TEXT, "School name as families know it.", "Jefferson Elementary"),
        req("district_id", Kind.ID, "District identifier (e.g. CDS district code).", "0161259"),
        req("district_name", Kind.TEXT, "District name.", "Bayview Unified"),
        req("school_type", Kind.CODE, "Kind of school.", "ELEM", codes="school_type"),
        req("grade_low", Kind.GRADE, "Lowest grade served.", "K"),
        req("grade_high", Kind.GRADE, "Highest grade served.", "5"),
        opt("board_district", Kind.ID, "School board trustee area the school lies in.", "3"),
        opt("is_charter", Kind.BOOL, "Charter school.", "false"),
        opt("is_title1", Kind.BOOL, "Receives Title I, Part A funds.", "true"),
    ),
    key=("school_id",),
    row_checks=(ordered("grade_low", "grade_high", "below"),),
    unlocks="Everything: every result is reported by school.",
)

STUDENTS = Table(
    name="students",
    required=True,
    description="One row per student ever enrolled in the bundle's years.",
    columns=(
        STUDENT_ID,
        req("race_ethnicity", Kind.CODE, "Race/ethnicity as reported to the state.", "HI",
            codes="race_ethnicity"),
        req("gender", Kind.CODE, "Gender.", "F", codes="gender"),
        opt("birth_date", Kind.DATE, "Date of birth.", "2015-04-12"),
        opt("home_language", Kind.TEXT, "Primary language spoken at home.", "Spanish"),
        opt("us_school_entry_date", Kind.DATE, "First enrollment in any US school.", "2020-08-24"),
        opt("reclassification_date", Kind.DATE, "Date reclassified from EL to RFEP.", ""),
        opt("first_name", Kind.TEXT, "Given name staff know the student by (staff workspace "
            "only; never published).", "Maria"),
        opt("last_name", Kind.TEXT, "Family name (staff workspace only; never published; "
            "counselor caseloads may be split by its first letter).", "Lopez"),
    ),
    key=("student_id",),
    unlocks="Race/ethnicity and gender groups; with `us_school_entry_date`, newcomer exclusions "
    "and long-term English learner status; with `reclassification_date`, reclassification "
    "indicators.",
)

ENROLLMENTS = Table(
    name="enrollments",
    required=True,
    description="One row per student, school and year; a mid-year transfer has two rows. "
    "The student's status that year (SED, EL, SWD, ...) is taken from this row.",
    columns=(
        SCHOOL_YEAR,
        STUDENT_ID,
        SCHOOL_ID,
        req("grade", Kind.GRADE, "Grade level: TK, K, 1-12, or UG (ungraded).", "3"),
        req("entry_date", Kind.DATE, "First day enrolled at this school this year.", "2024-08-19"),
        opt("exit_date", Kind.DATE, "Last day enrolled at this school this year, if they left.",
            ""),
        opt("days_enrolled", Kind.DECIMAL,
            "Instructional days enrolled (required unless `attendance_daily` is given).", "180",
            low=0, high=366),
        opt("days_absent", Kind.DECIMAL,
            "Instructional days absent, excused or not (required unless `attendance_daily` "
            "is given).", "7", low=0, high=366),
        opt("sed", Kind.BOOL, "Socioeconomically disadvantaged.", "true"),
        opt("frpm", Kind.BOOL, "Eligible for free or reduced-price meals.", "true"),
        opt("el_status", Kind.CODE, "English language acquisition status.", "EL",
            codes="el_status"),
        opt("swd", Kind.BOOL, "Student with a disability (has an IEP).", "false"),
        opt("disability_category", Kind.TEXT, "Primary disability category (state code).", ""),
        opt("foster", Kind.BOOL, "Foster youth.", "false"),
        opt("homeless", Kind.BOOL, "Experiencing homelessness (McKinney-Vento).", "false"),
        opt("migrant", Kind.BOOL, "Migrant education program eligible.", "false"),
        opt("dual_language", Kind.BOOL, "Enrolled in a dual-language program.", "false"),
        opt("biliteracy_pathway", Kind.BOOL, "Earned a Pathway to Biliteracy award this year "
            "(the district's recognitions toward the State Seal, usually in grades 5 and 8).",
            "false"),
    ),
    key=("school_year", "student_id", "school_id"),
    foreign_keys=(fk("student_id", "students"), fk("school_id", "schools")),
    date_rules=(DateRule("entry_date", "school_year"), DateRule("exit_date", "school_year")),
    row_checks=(
        ordered("entry_date", "exit_date"),
        RowCheck(
            column="days_absent",
            invalid_when="days_absent > days_enrolled",
            reason="format('days_absent ({}) exceeds days_enrolled ({})', days_absent, "
            "days_enrolled)",
            description="`days_absent` may not exceed `days_enrolled`.",
        ),
        required_unless("days_enrolled", "attendance_daily"),
        required_unless("days_absent", "attendance_daily"),
    ),
    unlocks="Enrollment counts, student groups (SED, EL, SWD, foster, homeless, migrant) and, "
    "with days enrolled and absent, chronic absence.",
    notes=(
        "When `attendance_daily` is given and `days_enrolled` or `days_absent` is empty, the "
        "value is derived from the daily rows; when both are given and disagree, the "
        "enrollment row is loaded as given and the disagreement is reported as a warning.",
    ),
)

ATTENDANCE_DAILY = Table(
    name="attendance_daily",
    required=False,
    description="One row per student, school and instructional day enrolled.",
    columns=(
        STUDENT_ID,
        SCHOOL_ID,
        req("date", Kind.DATE, "Instructional day.", "2024-09-03"),
        req("status", Kind.CODE, "Attendance that day.", "P", codes="attendance_status"),
        opt("minutes_absent", Kind.INT, "Minutes missed on a partial day.", "", low=0, high=1440),
    ),
    key=("student_id", "school_id", "date"),
    foreign_keys=(fk("student_id", "students"), fk("school_id", "schools")),
    unlocks="Days enrolled and absent derived day by day (checked against `enrollments`), "
    "absence patterns by month, and attendance-based early warning.",
    notes=(
        "Each day must fall inside an enrollment of the student at that school; days enrolled "
        "and absent derived from this table must agree with `enrollments` where both are "
        "given (a disagreement is reported as a warning on the enrollment row).",
    ),
)

ASSESSMENTS = Table(
    name="assessments",
    required=False,
    description="One row per student test score.",
    columns=(
        SCHOOL_YEAR,
        STUDENT_ID,
        SCHOOL_ID,
        req("test", Kind.TEXT, "`SBAC`, `CAA`, `ELPAC` (Summative ELPAC), `ALT_ELPAC` "
            "(Summative Alternate ELPAC), or a district benchmark name. The ELPAC tests use "
            "subject `ELP`.", "SBAC"),
        req("subject", Kind.CODE, "Subject tested.", "ELA", codes="subject"),
        req("grade", Kind.GRADE, "Grade when tested.", "3"),
        req("scale_score", Kind.DECIMAL, "Scale score (ELPAC: the overall score, which places "
            "ELPAC levels 2 and 3 on ELPI's Low and High).", "2451", low=0, high=100000),
        opt("performance_level", Kind.INT, "Achievement level, 1-4.", "3", low=1, high=4),
        opt("test_date", Kind.DATE, "Date tested.", "2025-04-22"),
        opt("administration", Kind.CODE, "Which administration.", "SUMMATIVE",
            codes="administration"),
    ),
    key=("school_year", "student_id", "test", "subject", "administration", "test_date"),
    foreign_keys=(fk("student_id", "students"), fk("school_id", "schools")),
    date_rules=(DateRule("test_date", "school_year"),),
    unlocks="Distance from Standard and share meeting standard in ELA and math, 3rd-grade "
    "reading, English learner progress (ELPAC), reclassification.",
)

COURSE_MARKS = Table(
    name="course_marks",
    required=False,
    description="One row per student, course and grading term.",
    columns=(
        SCHOOL_YEAR,
        req("term", Kind.CODE, "Grading term.", "S1", codes="term"),
        STUDENT_ID,
        SCHOOL_ID,
        req("course_id", Kind.ID, "Course identifier.", "ENG9"),
        req("subject_area", Kind.CODE, "Subject area of the course.", "ELA", codes="subject_area"),
        req("mark", Kind.CODE, "Mark earned.", "B+", codes="mark"),
        req("credits_attempted", Kind.DECIMAL, "Credits attempted.", "5", low=0, high=40),
        req("credits_earned", Kind.DECIMAL, "Credits earned.", "5", low=0, high=40),
        opt("course_name", Kind.TEXT, "Course title.", "English 9"),
        opt("ag_area", Kind.CODE, "UC/CSU a-g subject area, when the course is approved.", "b",
            codes="ag_area"),
        opt("section_id", Kind.ID, "Section (class) identifier.", "ENG9-03"),
    ),
    key=("school_year", "term", "student_id", "school_id", "course_id", "section_id"),
    row_checks=(
        RowCheck(
            column="credits_earned",
            invalid_when="credits_earned > credits_attempted",
            reason="format('credits_earned ({}) exceeds credits_attempted ({})', "
            "credits_earned, credits_attempted)",
            description="`credits_earned` may not exceed `credits_attempted`.",
        ),
    ),
    foreign_keys=(fk("student_id", "students"), fk("school_id", "schools")),
    unlocks="8th-grade core marks, 9th-grade on-track, a-g on-track and completion, course-based "
    "early warning.",
)

DISCIPLINE = Table(
    name="discipline",
    required=False,
    description="One row per student per disciplinary incident.",
    columns=(
        SCHOOL_YEAR,
        req("incident_id", Kind.ID, "Incident identifier.", "I-2025-00017"),
        STUDENT_ID,
        SCHOOL_ID,
        req("incident_date", Kind.DATE, "Date of the incident.", "2024-11-05"),
        req("action", Kind.CODE, "Action taken.", "OSS", codes="discipline_action"),
        req("days", Kind.DECIMAL, "Days of suspension or removal; partial days allowed.", "1.5",
            low=0, high=366),
        opt("offense_code", Kind.TEXT, "State or district offense code.", "48900(a)(1)"),
    ),
    key=("school_year", "incident_id", "student_id"),
    foreign_keys=(fk("student_id", "students"), fk("school_id", "schools")),
    date_rules=(DateRule("incident_date", "school_year"),),
    unlocks="Suspension rate and behavior-based early warning.",
)

GRADUATION_COHORTS = Table(
    name="graduation_cohorts",
    required=False,
    description="One row per student in a four-year graduation cohort.",
    columns=(
        req("cohort_year", Kind.YEAR, "Expected graduation year (spring).", "2025",
            low=1990, high=2100),
        STUDENT_ID,
        req("school_id", Kind.ID, "Accountable school (last high school of enrollment).", "0901"),
        req("outcome", Kind.CODE, "Cohort outcome.", "GRAD", codes="cohort_outcome"),
        opt("graduation_date", Kind.DATE, "Diploma date.", "2025-06-06"),
        opt("ag_complete", Kind.BOOL, "Completed the UC/CSU a-g sequence with C or better.",
            "true"),
        opt("seal_of_biliteracy", Kind.BOOL, "Earned the State Seal of Biliteracy.", "false"),
        opt("cci_prepared", Kind.BOOL, "Prepared on the College/Career Indicator.", "true"),
    ),
    key=("cohort_year", "student_id"),
    foreign_keys=(fk("student_id", "students"), fk("school_id", "schools")),
    date_rules=(DateRule("graduation_date", "cohort_year", years_after=1),),
    unlocks="Four-year and five-year graduation rates, a-g completion, college eligibility, "
    "Seal of Biliteracy.",
)

STAFF = Table(
    name="staff",
    required=False,
    description="One row per staff member, school and year.",
    columns=(
        SCHOOL_YEAR,
        req("staff_id", Kind.ID, "Staff identifier.", "T04417"),
        SCHOOL_ID,
        req("role", Kind.CODE, "Role.", "TEACHER", codes="staff_role"),
        req("fte", Kind.DECIMAL, "Full-time equivalent at this school.", "1.0", low=0, high=2),
        opt("years_experience", Kind.INT, "Years of experience in the role.", "2", low=0, high=70),
        opt("years_at_school", Kind.INT, "Years at this school.", "1", low=0, high=70),
        opt("credential", Kind.CODE, "Credential or permit the assignment rests on: "
            "`PERMIT` is an emergency or provisional permit, `LIMITED_PERMIT` a limited "
            "assignment permit of a credentialed teacher.", "PRELIMINARY", codes="credential"),
        opt("out_of_field", Kind.BOOL, "The credential held does not authorize this assignment "
            "(subject or student population); a credentialed teacher with no permit for it is "
            "misassigned.", "false"),
        opt("assignment_type", Kind.CODE, "How the assignment was made.", "MUTUAL_CONSENT",
            codes="assignment_type"),
        opt("email", Kind.TEXT, "Work email; matches the staff member's single sign-on "
            "account in the staff workspace.", "jlee@bayview.k12.ca.us"),
        opt("name", Kind.TEXT, "Name as colleagues know it (staff workspace).", "Jordan Lee"),
        opt("tamo_outcome", Kind.CODE, "CDE's Teaching Assignment Monitoring Outcome for the "
            "teacher's assignments at the school, when the district has CDE's report; "
            "otherwise derived from `credential` and `out_of_field`.", "CLEAR",
            codes="tamo_outcome"),
    ),
    key=("school_year", "staff_id", "school_id"),
    foreign_keys=(fk("school_id", "schools"),),
    unlocks="Staffing stability (turnover, inexperienced teachers, CDE's teacher assignment "
    "outcomes: Clear, Out-of-Field, Intern, Ineffective, ...) by school need.",
)

SECTIONS = Table(
    name="sections",
    required=False,
    description="One row per class section.",
    columns=(
        SCHOOL_YEAR,
        req("section_id", Kind.ID, "Section identifier.", "ENG9-03"),
        SCHOOL_ID,
        req("course_id", Kind.ID, "Course identifier.", "ENG9"),
        req("subject_area", Kind.CODE, "Subject area.", "ELA", codes="subject_area"),
        opt("teacher_staff_id", Kind.ID, "Teacher of record (as in `staff`).", "T04417"),
        opt("is_eld", Kind.BOOL, "English language development section.", "false"),
        opt("enrolled", Kind.INT, "Students enrolled.", "31", low=0, high=1000),
        opt("substitute_days", Kind.DECIMAL, "Days taught by a substitute.", "12", low=0,
            high=366),
        opt("distinct_substitutes", Kind.INT, "Different substitutes who taught it.", "4",
            low=0, high=366),
    ),
    key=("school_year", "school_id", "section_id"),
    foreign_keys=(fk("school_id", "schools"),),
    unlocks="Class sizes, substitute coverage and who teaches the highest-need students.",
)

BUDGETS = Table(
    name="budgets",
    required=False,
    description="School budget lines by fund source and category.",
    columns=(
        SCHOOL_YEAR,
        SCHOOL_ID,
        req("fund_source", Kind.CODE, "Fund source.", "LCFF_SUPP_CONC", codes="fund_source"),
        req("category", Kind.CODE, "Spending category.", "TEACHERS", codes="budget_category"),
        req("amount", Kind.MONEY, "Budgeted dollars.", "412500.00", low=-1e12, high=1e12),
        opt("fte", Kind.DECIMAL, "Positions funded.", "4.5", low=0, high=10000),
    ),
    key=("school_year", "school_id", "fund_source", "category"),
    foreign_keys=(fk("school_id", "schools"),),
    unlocks="Funding per student by need (LCFF, funding progressivity).",
)

FAMILY_ENGAGEMENT = Table(
    name="family_engagement",
    required=False,
    description="Family engagement activities.",
    columns=(
        SCHOOL_YEAR,
        SCHOOL_ID,
        req("activity", Kind.CODE, "Kind of activity.", "SITE_COUNCIL",
            codes="engagement_activity"),
        req("date", Kind.DATE, "Date held.", "2024-10-08"),
        req("participants", Kind.INT, "Family members taking part.", "14", low=0, high=1000000),
        opt("student_id", Kind.ID, "Student, when the record is about one family.", ""),
        opt("language", Kind.TEXT, "Language the activity was held in.", "Spanish"),
    ),
    foreign_keys=(fk("school_id", "schools"),),
    date_rules=(DateRule("date", "school_year"),),
    unlocks="Family engagement by school and language.",
)

COMMUNITY_CONTEXT = Table(
    name="community_context",
    required=False,
    description="Conditions around each school, one measure per row.",
    columns=(
        SCHOOL_ID,
        SCHOOL_YEAR,
        req("measure", Kind.TEXT, "Measure code, e.g. `ASTHMA_RATE`, `VIOLENCE_EXPOSURE`.",
            "ASTHMA_RATE"),
        req("value", Kind.DECIMAL, "Value of the measure.", "11.2"),
        opt("source", Kind.TEXT, "Where the value comes from.", "County public health, 2024"),
    ),
    key=("school_id", "school_year", "measure"),
    foreign_keys=(fk("school_id", "schools"),),
    unlocks="Community conditions in the need index.",
)

COMMUNITY_PARTNERS = Table(
    name="community_partners",
    required=False,
    description="Community organizations students can be referred to.",
    columns=(
        req("partner_id", Kind.ID, "Partner identifier.", "P012"),
        req("name", Kind.TEXT, "Organization name.", "Eastside Family Resource Center"),
        req("services", Kind.CODE_LIST, "Services offered, separated by semicolons.",
            "FOOD;HOUSING", codes="partner_service"),
        opt("languages", Kind.TEXT, "Languages served.", "English;Spanish"),
        opt("phone", Kind.TEXT, "Phone.", "555-0142"),
        opt("email", Kind.TEXT, "Email.", "intake@example.org"),
        opt("area", Kind.TEXT, "Area served.", "East"),
    ),
    key=("partner_id",),
    unlocks="Linking students to community services.",
)

INTERVENTIONS = Table(
    name="interventions",
    required=False,
    description="Tiered supports (MTSS) given to students.",
    columns=(
        req("intervention_id", Kind.ID, "Intervention identifier.", "INT-8812"),
        STUDENT_ID,
        SCHOOL_YEAR,
        req("tier", Kind.INT, "MTSS tier, 1-3.", "2", low=1, high=3),
        req("type", Kind.TEXT, "Kind of support.", "Reading tutoring"),
        req("start_date", Kind.DATE, "Start date.", "2024-10-01"),
        opt("end_date", Kind.DATE, "End date.", "2025-01-31"),
        opt("provider_staff_id", Kind.ID, "Staff member providing it.", "T04417"),
        opt("partner_id", Kind.ID, "Community partner providing it.", ""),
        opt("status", Kind.CODE, "Status.", "COMPLETED", codes="intervention_status"),
        opt("goal", Kind.TEXT, "Goal of the support.", "Read at grade level"),
        opt("outcome", Kind.TEXT, "What happened.", "Goal met"),
    ),
    key=("intervention_id",),
    row_checks=(ordered("start_date", "end_date"),),
    foreign_keys=(fk("student_id", "students"), fk("partner_id", "community_partners")),
    date_rules=(DateRule("start_date", "school_year"),),
    unlocks="Whether tiered supports reach the students flagged, and whether they work.",
)

GUARDIANS = Table(
    name="guardians",
    required=False,
    description="Parents and guardians of each student, with the language they read (staff "
    "only: never published).",
    columns=(
        STUDENT_ID,
        req("guardian_id", Kind.ID, "Guardian identifier (one person may be listed for "
            "several students).", "G004512"),
        req("relationship", Kind.CODE, "Relationship to the student.", "PARENT",
            codes="guardian_relationship"),
        req("preferred_language", Kind.TEXT, "Language the guardian prefers for letters and "
            "calls: a language name (`Spanish`) or an ISO 639-1 code (`es`).", "Spanish"),
        req("receives_mail", Kind.BOOL, "The guardian receives school letters about the "
            "student.", "true"),
        opt("first_name", Kind.TEXT, "First name.", "María"),
        opt("last_name", Kind.TEXT, "Last name.", "López"),
        opt("phone", Kind.TEXT, "Phone.", "555-0188"),
        opt("email", Kind.TEXT, "Email.", "family@example.org"),
        opt("address", Kind.TEXT, "Mailing address.", "120 Oak St, Bayview CA 94000"),
        opt("primary_contact", Kind.BOOL, "The first person to call about the student.",
            "true"),
    ),
    key=("student_id", "guardian_id"),
    foreign_keys=(fk("student_id", "students"),),
    unlocks="Progress letters in each family's language; engagement by home language.",
)

SURVEY_RESPONSES = Table(
    name="survey_responses",
    required=False,
    description="School climate and student voice survey answers, one row per respondent "
    "and item.",
    columns=(
        SCHOOL_YEAR,
        SCHOOL_ID,
        req("respondent_id", Kind.ID, "Respondent identifier within the survey (anonymous "
            "surveys use a random id).", "R1029384"),
        req("respondent_type", Kind.CODE, "Who answered.", "STUDENT", codes="respondent_type"),
        req("item", Kind.TEXT, "Item code of the survey's item map "
            "(`families.survey_items_file`).", "SC1"),
        req("scale", Kind.TEXT, "Scale the item belongs to, as in the item map.",
            "SCHOOL_CONNECTEDNESS"),
        req("response", Kind.INT, "Answer on the item's response scale (1 = lowest).", "4",
            low=1, high=7),
        opt("grade", Kind.GRADE, "Grade of the student (for parents: of their child).", "7"),
        opt("student_id", Kind.ID, "Student who answered, when the survey is not anonymous "
            "(student surveys only; it links the answer to the student's groups).", ""),
        opt("survey_date", Kind.DATE, "Date answered.", "2025-02-11"),
    ),
    key=("school_year", "respondent_id", "item"),
    foreign_keys=(fk("school_id", "schools"), fk("student_id", "students")),
    date_rules=(DateRule("survey_date", "school_year"),),
    row_checks=(RowCheck(
        column="student_id",
        invalid_when="student_id IS NOT NULL AND respondent_type <> 'STUDENT'",
        reason="format('student_id is given for a {} respondent (only students answer as "
        "themselves)', respondent_type)",
        description="`student_id` is given only for student respondents.",
    ),),
    unlocks="Student survey scales (share favourable) by group; parent and staff climate.",
)

#: Every table of the contract, in load order (referenced tables first).
TABLES: tuple[Table, ...] = (
    SCHOOLS,
    STUDENTS,
    ENROLLMENTS,
    ATTENDANCE_DAILY,
    ASSESSMENTS,
    COURSE_MARKS,
    DISCIPLINE,
    GRADUATION_COHORTS,
    STAFF,
    SECTIONS,
    BUDGETS,
    FAMILY_ENGAGEMENT,
    COMMUNITY_CONTEXT,
    COMMUNITY_PARTNERS,
    INTERVENTIONS,
    GUARDIANS,
    SURVEY_RESPONSES,
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

#: Columns added to contract v1 after ../shared/design/DATA_MODEL.md was written ("table.column"
#: -> why); additions only, never renames. docs/data-model.md lists them.
ADDED_COLUMNS: dict[str, str] = {
    "students.first_name": "the student's first name, shown to staff in the workspace (never "
    "published)",
    "students.last_name": "the student's last name, shown to staff in the workspace (never "
    "published)",
    "staff.email": "the work email that matches a staff member's single sign-on account in the "
    "workspace",
    "staff.name": "the name colleagues know a staff member by (workspace)",
    "staff.tamo_outcome": "CDE's teacher assignment outcome, when the district has CDE's "
    "report",
    "enrollments.biliteracy_pathway": "a Pathway to Biliteracy award that year (grades 5 and "
    "8; the State Seal at grade 12 is in graduation_cohorts)",
}

#: Tables added to contract v1 after ../shared/design/DATA_MODEL.md was written (name -> why);
#: optional, additions only. docs/data-model.md lists them.
ADDED_TABLES: dict[str, str] = {
    "guardians": "each student's parents and guardians and the language they read, for "
    "letters to families and engagement by home language (issue 18; staff only)",
    "survey_responses": "school climate and student voice survey answers (CHKS-like scales), "
    "for the climate indicators (issue 18)",
}

CONTRACT_VERSION = "1"


def table(name: str) -> Table:
    """The contract table called ``name`` (KeyError naming the known tables otherwise)."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        known = ", ".join(TABLES_BY_NAME)
        raise KeyError(f"no contract table {name!r}; the contract has: {known}") from None
