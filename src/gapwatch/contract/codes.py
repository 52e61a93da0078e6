"""Code sets of the data contract: every allowed code with its plain-language label.

Source: ../shared/design/DATA_MODEL.md (contract v1). Codes are case-sensitive and matched after
trimming surrounding spaces. Unknown codes are errors, never guesses.
"""

from __future__ import annotations

CODE_SETS: dict[str, dict[str, str]] = {
    "school_type": {
        "ELEM": "Elementary school",
        "MIDDLE": "Middle school",
        "HIGH": "High school",
        "K12": "Span school (K-12)",
        "ALT": "Alternative school",
        "OTHER": "Other",
    },
    "race_ethnicity": {
        "AA": "African American",
        "AI": "American Indian or Alaska Native",
        "AS": "Asian",
        "FI": "Filipino",
        "HI": "Hispanic or Latino",
        "PI": "Pacific Islander",
        "WH": "White",
        "MR": "Two or more races",
        "NR": "Not reported",
    },
    "gender": {"F": "Female", "M": "Male", "X": "Nonbinary"},
    "el_status": {
        "EO": "English only",
        "IFEP": "Initially fluent English proficient",
        "EL": "English learner",
        "RFEP": "Reclassified fluent English proficient",
        "TBD": "To be determined",
    },
    "attendance_status": {
        "P": "Present",
        "A": "Unexcused absence",
        "E": "Excused absence",
        "S": "Out-of-school suspension",
    },
    "subject": {
        "ELA": "English language arts",
        "MATH": "Mathematics",
        "SCI": "Science",
        "ELP": "English language proficiency",
    },
    "administration": {
        "SUMMATIVE": "End-of-year summative",
        "INTERIM": "Interim",
        "BENCHMARK": "District benchmark",
    },
    "term": {
        "FY": "Full year",
        "S1": "Semester 1",
        "S2": "Semester 2",
        "T1": "Trimester 1",
        "T2": "Trimester 2",
        "T3": "Trimester 3",
        "Q1": "Quarter 1",
        "Q2": "Quarter 2",
        "Q3": "Quarter 3",
        "Q4": "Quarter 4",
    },
    "subject_area": {
        "ELA": "English language arts",
        "MATH": "Mathematics",
        "SCI": "Science",
        "SOC": "History and social science",
        "WL": "World languages",
        "ARTS": "Visual and performing arts",
        "PE": "Physical education",
        "ELD": "English language development",
        "CTE": "Career technical education",
        "OTHER": "Other",
    },
    "mark": {
        **{
            f"{letter}{sign}": f"{letter}{sign}"
            for letter in "ABCD"
            for sign in ("+", "", "-")
        },
        "F": "F (failing)",
        "P": "Pass",
        "NP": "No pass",
        "I": "Incomplete",
        "W": "Withdrawn",
    },
    "ag_area": {
        "a": "History/social science",
        "b": "English",
        "c": "Mathematics",
        "d": "Laboratory science",
        "e": "Language other than English",
        "f": "Visual and performing arts",
        "g": "College-preparatory elective",
    },
    "discipline_action": {
        "OSS": "Out-of-school suspension",
        "ISS": "In-school suspension",
        "EXP": "Expulsion",
        "OTHER": "Other action",
    },
    "cohort_outcome": {
        "GRAD": "Regular diploma (four-year)",
        "GRAD_5YR": "Regular diploma in the fifth year",
        "DROPOUT": "Dropped out",
        "STILL_ENROLLED": "Still enrolled",
        "HSE": "High school equivalency",
        "CERT": "Certificate of completion",
    },
    "staff_role": {
        "TEACHER": "Teacher",
        "PRINCIPAL": "Principal",
        "ASSISTANT_PRINCIPAL": "Assistant principal",
        "COUNSELOR": "Counselor",
        "NURSE": "Nurse",
        "SOCIAL_WORKER": "Social worker",
        "PSYCHOLOGIST": "Psychologist",
        "PARAPROFESSIONAL": "Paraprofessional",
        "LIBRARIAN": "Librarian",
        "OTHER": "Other",
    },
    "credential": {
        "CLEAR": "Clear credential",
        "PRELIMINARY": "Preliminary credential",
        "INTERN": "Intern credential",
        "PERMIT": "Emergency or provisional permit not requiring a full license (Provisional "
                  "Internship Permit, Short-Term Staff Permit, substitute permit or TSPL as "
                  "teacher of record)",
        "WAIVER": "Waiver (e.g. Variable Term Waiver)",
        "NONE": "No credential, permit or authorization",
        "LIMITED_PERMIT": "Limited assignment permit (GELAP, SELAP, ...) held by a credentialed "
                          "teacher for this assignment",
    },
    "tamo_outcome": {
        "CLEAR": "Clear",
        "OUT_OF_FIELD": "Out-of-Field",
        "INTERN": "Intern",
        "INEFFECTIVE": "Ineffective",
        "INCOMPLETE": "Incomplete",
        "UNKNOWN": "Unknown",
        "NA": "N/A",
    },
    "assignment_type": {
        "MUTUAL_CONSENT": "Mutual consent",
        "MANDATORY": "Mandatory placement",
        "OTHER": "Other",
    },
    "fund_source": {
        "LCFF_BASE": "LCFF base grant",
        "LCFF_SUPP_CONC": "LCFF supplemental and concentration grants",
        "TITLE_I": "Title I",
        "EQUITY_INDEX": "District equity index allocation",
        "STATE_OTHER": "Other state funds",
        "FEDERAL_OTHER": "Other federal funds",
        "LOCAL": "Local funds",
    },
    "budget_category": {
        "TEACHERS": "Teachers",
        "SUPPORT_STAFF": "Support staff",
        "ADMIN": "Administration",
        "SERVICES": "Services",
        "SUPPLIES": "Supplies",
        "OTHER": "Other",
    },
    "engagement_activity": {
        "CONFERENCE": "Parent-teacher conference",
        "SITE_COUNCIL": "School site council meeting",
        "EL_ADVISORY": "English learner advisory committee",
        "WORKSHOP": "Family workshop",
        "SURVEY": "Family survey",
        "HOME_VISIT": "Home visit",
        "OTHER": "Other",
    },
    "partner_service": {
        "TUTORING": "Tutoring",
        "MENTAL_HEALTH": "Mental health",
        "FOOD": "Food",
        "HOUSING": "Housing",
        "HEALTH": "Health",
        "AFTER_SCHOOL": "After-school programs",
        "FAMILY_SUPPORT": "Family support",
        "OTHER": "Other",
    },
    "guardian_relationship": {
        "PARENT": "Parent",
        "STEPPARENT": "Stepparent",
        "GRANDPARENT": "Grandparent",
        "FOSTER_PARENT": "Foster parent",
        "LEGAL_GUARDIAN": "Legal guardian",
        "OTHER_RELATIVE": "Other relative",
        "OTHER": "Other",
    },
    "respondent_type": {
        "STUDENT": "Student",
        "PARENT": "Parent or guardian",
        "STAFF": "Staff member",
    },
    "intervention_status": {
        "PLANNED": "Planned",
        "ACTIVE": "Active",
        "COMPLETED": "Completed",
        "DISCONTINUED": "Discontinued",
    },
}

#: Codes added to contract v1 after ../shared/design/DATA_MODEL.md was written (code set ->
#: codes); additions only. docs/data-model.md lists them.
ADDED_CODES: dict[str, tuple[str, ...]] = {
    "credential": ("LIMITED_PERMIT",),
    "tamo_outcome": tuple(CODE_SETS["tamo_outcome"]),
    "guardian_relationship": tuple(CODE_SETS["guardian_relationship"]),
    "respondent_type": tuple(CODE_SETS["respondent_type"]),
}

#: Student groups of the contract's default set, with labels (DATA_MODEL.md, "Student groups").
STUDENT_GROUPS: dict[str, str] = {
    "ALL": "All students",
    **CODE_SETS["race_ethnicity"],
    "SED": "Socioeconomically disadvantaged",
    "EL": "English learners",
    "RFEP": "Reclassified fluent English proficient",
    "EO": "English only",
    "LTEL": "Long-term English learners",
    "SWD": "Students with disabilities",
    "FOS": "Foster youth",
    "HOM": "Homeless youth",
    "MIG": "Migrant",
}
