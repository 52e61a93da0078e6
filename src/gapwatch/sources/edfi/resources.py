"""The Ed-Fi resources gapwatch reads, and where each field sits in XML and in API JSON.

Ed-Fi Data Standard 5.x names the same thing twice: an XML interchange element
(``StudentSchoolAssociation/EntryGradeLevel``) and an ODS/API v7 JSON property
(``studentSchoolAssociations`` -> ``entryGradeLevelDescriptor``). Each :class:`Resource` lists
the fields gapwatch uses with both paths, so that XML files and API pulls become the same
``src_<name>`` tables. A path segment ending in ``[]`` (JSON) or an element that repeats (XML)
gives every value, joined with ``;``. Element names were read from the Grand Bend sample
files (Ed-Fi-Data-Standard ``Samples/Sample XML``, schema 5.2.0) and, for the StudentEnrollment
interchange the sample lacks, from ``Schemas/Bulk/Ed-Fi-Core.xsd`` (same commit, e181f48); JSON
property names follow
the ODS/API's published naming rule (descriptor properties end in ``Descriptor``, collections
are plural, references end in ``Reference`` and hold the identity fields).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    column: str
    xml: str
    json: str


@dataclass(frozen=True)
class Resource:
    name: str  #: ``src_<name>`` and the mapping's source name
    element: str  #: XML element
    path: str  #: ODS/API v7 resource path under /data/v3/ed-fi/
    interchange: str  #: the XML interchange that carries it
    fields: tuple[Field, ...]

    @property
    def columns(self) -> list[str]:
        return [f.column for f in self.fields]


def _f(column: str, xml: str, json: str) -> Field:
    return Field(column, xml, json)


STUDENT_REF = _f("student_unique_id", "StudentReference/StudentIdentity/StudentUniqueId",
                 "studentReference.studentUniqueId")
SCHOOL_REF = _f("school_id", "SchoolReference/SchoolIdentity/SchoolId",
                "schoolReference.schoolId")
EDORG_REF = _f("education_organization_id",
               "EducationOrganizationReference/EducationOrganizationIdentity/"
               "EducationOrganizationId", "educationOrganizationReference.educationOrganizationId")


def _program(name: str, element: str, path: str, *extra: Field) -> Resource:
    return Resource(name, element, path, "StudentProgram", (
        STUDENT_REF, EDORG_REF, _f("begin_date", "BeginDate", "beginDate"),
        _f("end_date", "EndDate", "endDate"),
        _f("program_type", "ProgramReference/ProgramIdentity/ProgramType",
           "programReference.programTypeDescriptor"), *extra))


RESOURCES: tuple[Resource, ...] = (
    Resource("local_education_agencies", "LocalEducationAgency", "localEducationAgencies",
             "EducationOrganization", (
                 _f("local_education_agency_id", "LocalEducationAgencyId",
                    "localEducationAgencyId"),
                 _f("name_of_institution", "NameOfInstitution", "nameOfInstitution"))),
    Resource("schools", "School", "schools", "EducationOrganization", (
        _f("school_id", "SchoolId", "schoolId"),
        _f("name_of_institution", "NameOfInstitution", "nameOfInstitution"),
        _f("local_education_agency_id",
           "LocalEducationAgencyReference/LocalEducationAgencyIdentity/LocalEducationAgencyId",
           "localEducationAgencyReference.localEducationAgencyId"),
        _f("school_categories", "SchoolCategory", "schoolCategories[].schoolCategoryDescriptor"),
        _f("grade_levels", "GradeLevel", "gradeLevels[].gradeLevelDescriptor"),
        _f("charter_status", "CharterStatus", "charterStatusDescriptor"),
        _f("title_i_designation", "TitleIPartASchoolDesignation",
           "titleIPartASchoolDesignationDescriptor"))),
    Resource("students", "Student", "students", "Student", (
        _f("student_unique_id", "StudentUniqueId", "studentUniqueId"),
        _f("birth_date", "BirthData/BirthDate", "birthDate"))),
    Resource("student_school_associations", "StudentSchoolAssociation",
             "studentSchoolAssociations", "StudentEnrollment", (
                 STUDENT_REF, SCHOOL_REF,
                 _f("entry_date", "EntryDate", "entryDate"),
                 _f("entry_grade_level", "EntryGradeLevel", "entryGradeLevelDescriptor"),
                 _f("exit_withdraw_date", "ExitWithdrawDate", "exitWithdrawDate"),
                 _f("school_year", "SchoolYear", "schoolYearTypeReference.schoolYear"))),
    Resource("student_education_organization_associations",
             "StudentEducationOrganizationAssociation",
             "studentEducationOrganizationAssociations", "StudentEnrollment", (
                 STUDENT_REF, EDORG_REF,
                 _f("sex", "Sex", "sexDescriptor"),
                 _f("hispanic_latino_ethnicity", "HispanicLatinoEthnicity",
                    "hispanicLatinoEthnicity"),
                 _f("races", "Race", "races[].raceDescriptor"),
                 _f("languages", "Language/Language", "languages[].languageDescriptor"),
                 _f("limited_english_proficiency", "LimitedEnglishProficiency",
                    "limitedEnglishProficiencyDescriptor"),
                 _f("characteristics", "StudentCharacteristic/StudentCharacteristic",
                    "studentCharacteristics[].studentCharacteristicDescriptor"))),
    Resource("student_school_attendance_events", "StudentSchoolAttendanceEvent",
             "studentSchoolAttendanceEvents", "StudentAttendance", (
                 STUDENT_REF, SCHOOL_REF,
                 _f("event_date", "AttendanceEvent/EventDate", "eventDate"),
                 _f("category", "AttendanceEvent/AttendanceEventCategory",
                    "attendanceEventCategoryDescriptor"),
                 _f("event_duration", "AttendanceEvent/EventDuration", "eventDuration"),
                 _f("school_year", "SessionReference/SessionIdentity/SchoolYear",
                    "sessionReference.schoolYear"))),
    Resource("sessions", "Session", "sessions", "EducationOrgCalendar", (
        SCHOOL_REF, _f("session_name", "SessionName", "sessionName"),
        _f("school_year", "SchoolYear", "schoolYearTypeReference.schoolYear"),
        _f("begin_date", "BeginDate", "beginDate"), _f("end_date", "EndDate", "endDate"),
        _f("total_instructional_days", "TotalInstructionalDays", "totalInstructionalDays"))),
    Resource("calendar_dates", "CalendarDate", "calendarDates", "EducationOrgCalendar", (
        _f("date", "Date", "date"),
        _f("school_id", "CalendarReference/CalendarIdentity/SchoolReference/SchoolIdentity/"
           "SchoolId", "calendarReference.schoolId"),
        _f("calendar_events", "CalendarEvent", "calendarEvents[].calendarEventDescriptor"))),
    Resource("discipline_incidents", "DisciplineIncident", "disciplineIncidents",
             "StudentDiscipline", (
                 _f("incident_identifier", "IncidentIdentifier", "incidentIdentifier"),
                 SCHOOL_REF, _f("incident_date", "IncidentDate", "incidentDate"),
                 _f("behaviors", "Behavior/Behavior", "behaviors[].behaviorDescriptor"))),
    Resource("discipline_actions", "DisciplineAction", "disciplineActions",
             "StudentDiscipline", (
                 _f("discipline_action_identifier", "DisciplineActionIdentifier",
                    "disciplineActionIdentifier"),
                 _f("discipline_date", "DisciplineDate", "disciplineDate"), STUDENT_REF,
                 _f("disciplines", "Discipline", "disciplines[].disciplineDescriptor"),
                 _f("actual_length", "ActualDisciplineActionLength",
                    "actualDisciplineActionLength"),
                 _f("length", "DisciplineActionLength", "disciplineActionLength"),
                 _f("responsibility_school_id",
                    "ResponsibilitySchoolReference/SchoolIdentity/SchoolId",
                    "responsibilitySchoolReference.schoolId"),
                 _f("incident_identifier",
                    "StudentDisciplineIncidentBehaviorAssociationReference/"
                    "StudentDisciplineIncidentBehaviorAssociationIdentity/"
                    "DisciplineIncidentReference/DisciplineIncidentIdentity/IncidentIdentifier",
                    "studentDisciplineIncidentBehaviorAssociations[]."
                    "studentDisciplineIncidentBehaviorAssociationReference.incidentIdentifier"),
                 _f("behavior",
                    "StudentDisciplineIncidentBehaviorAssociationReference/"
                    "StudentDisciplineIncidentBehaviorAssociationIdentity/Behavior",
                    "studentDisciplineIncidentBehaviorAssociations[]."
                    "studentDisciplineIncidentBehaviorAssociationReference.behaviorDescriptor"))),
    Resource("assessments", "Assessment", "assessments", "AssessmentMetadata", (
        _f("assessment_identifier", "AssessmentIdentifier", "assessmentIdentifier"),
        _f("assessment_title", "AssessmentTitle", "assessmentTitle"),
        _f("academic_subjects", "AcademicSubject",
           "academicSubjects[].academicSubjectDescriptor"),
        _f("assessment_category", "AssessmentCategory", "assessmentCategoryDescriptor"))),
    Resource("student_assessments", "StudentAssessment", "studentAssessments",
             "StudentAssessment", (
                 _f("student_assessment_identifier", "StudentAssessmentIdentifier",
                    "studentAssessmentIdentifier"),
                 _f("assessment_identifier",
                    "AssessmentReference/AssessmentIdentity/AssessmentIdentifier",
                    "assessmentReference.assessmentIdentifier"), STUDENT_REF,
                 _f("administration_date", "AdministrationDate", "administrationDate"),
                 _f("grade_level", "WhenAssessedGradeLevel",
                    "whenAssessedGradeLevelDescriptor"),
                 _f("score_methods", "ScoreResult/AssessmentReportingMethod",
                    "scoreResults[].assessmentReportingMethodDescriptor"),
                 _f("score_results", "ScoreResult/Result", "scoreResults[].result"),
                 _f("performance_levels", "PerformanceLevel/PerformanceLevel",
                    "performanceLevels[].performanceLevelDescriptor"),
                 _f("school_year", "SchoolYear", "schoolYearTypeReference.schoolYear"),
                 _f("reported_school_id", "ReportedSchoolReference/SchoolIdentity/SchoolId",
                    "reportedSchoolReference.schoolId"))),
    Resource("staff_assignments", "StaffEducationOrganizationAssignmentAssociation",
             "staffEducationOrganizationAssignmentAssociations", "StaffAssociation", (
                 _f("staff_unique_id", "StaffReference/StaffIdentity/StaffUniqueId",
                    "staffReference.staffUniqueId"), EDORG_REF,
                 _f("staff_classification", "StaffClassification",
                    "staffClassificationDescriptor"),
                 _f("begin_date", "BeginDate", "beginDate"),
                 _f("end_date", "EndDate", "endDate"))),
    Resource("staff_employments", "StaffEducationOrganizationEmploymentAssociation",
             "staffEducationOrganizationEmploymentAssociations", "StaffAssociation", (
                 _f("staff_unique_id", "StaffReference/StaffIdentity/StaffUniqueId",
                    "staffReference.staffUniqueId"), EDORG_REF,
                 _f("full_time_equivalency", "FullTimeEquivalency", "fullTimeEquivalency"),
                 _f("hire_date", "EmploymentPeriod/HireDate", "hireDate"))),
    Resource("staffs", "Staff", "staffs", "StaffAssociation", (
        _f("staff_unique_id", "StaffUniqueId", "staffUniqueId"),
        _f("years_of_prior_professional_experience", "YearsOfPriorProfessionalExperience",
           "yearsOfPriorProfessionalExperience"))),
    Resource("interventions", "Intervention", "interventions", "StudentIntervention", (
        _f("intervention_identification_code", "InterventionIdentificationCode",
           "interventionIdentificationCode"), EDORG_REF,
        _f("intervention_class", "InterventionClass", "interventionClassDescriptor"),
        _f("begin_date", "BeginDate", "beginDate"), _f("end_date", "EndDate", "endDate"))),
    Resource("student_intervention_associations", "StudentInterventionAssociation",
             "studentInterventionAssociations", "StudentIntervention", (
                 STUDENT_REF,
                 _f("intervention_identification_code",
                    "InterventionReference/InterventionIdentity/InterventionIdentificationCode",
                    "interventionReference.interventionIdentificationCode"),
                 _f("education_organization_id",
                    "InterventionReference/InterventionIdentity/EducationOrganizationReference/"
                    "EducationOrganizationIdentity/EducationOrganizationId",
                    "interventionReference.educationOrganizationId"))),
    _program("special_education", "StudentSpecialEducationProgramAssociation",
             "studentSpecialEducationProgramAssociations",
             _f("disabilities", "Disability/Disability", "disabilities[].disabilityDescriptor")),
    _program("homeless", "StudentHomelessProgramAssociation",
             "studentHomelessProgramAssociations"),
    _program("migrant", "StudentMigrantEducationProgramAssociation",
             "studentMigrantEducationProgramAssociations"),
    _program("food_service", "StudentSchoolFoodServiceProgramAssociation",
             "studentSchoolFoodServiceProgramAssociations",
             _f("services", "SchoolFoodServiceProgramService/SchoolFoodServiceProgramService",
                "schoolFoodServiceProgramServices[].schoolFoodServiceProgramServiceDescriptor")),
    _program("language_instruction", "StudentLanguageInstructionProgramAssociation",
             "studentLanguageInstructionProgramAssociations"),
)

BY_NAME = {r.name: r for r in RESOURCES}
BY_ELEMENT = {r.element: r for r in RESOURCES}
BY_PATH = {r.path: r for r in RESOURCES}
