package org.credentialhub.sis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The OneRoster 1.1 and 1.2 CSV files the hub reads, their columns (required or optional, the kind of
 * value), the pre-1.1 (1.0) names the hub still recognises, which staging column each feeds, and which
 * columns refer to another file's sourcedIds.
 */
final class OneRosterSpec {

    /** {@code PROGRAM}: a program-participation flag sent as an extension column (see {@link Col}). */
    enum Kind { ID, TEXT, STATUS, DATETIME, DATE, YEAR, BOOL, FLAG, SEX, ENUM, IDLIST, USERIDS, PROGRAM }

    /**
     * @param target staging column, or null when the column is only checked
     * @param values an {@code ENUM}'s values; a {@code PROGRAM} column's accepted names: the column is an extension
     *               column {@code metadata.<anything>.<one of them>} (not part of the standard: never missing)
     * @param alias  the column's 1.0 name, read as this one (with a warning), or null
     */
    record Col(String name, Kind kind, boolean required, String target, Set<String> values, String alias) {
        String sqlType() {
            return switch (kind) {
                case DATETIME -> "timestamptz";
                case DATE -> "date";
                case YEAR -> "int";
                case BOOL, FLAG, PROGRAM -> "boolean";
                case IDLIST -> "text[]";
                default -> "text";
            };
        }
    }

    /**
     * @param name     manifest name ({@code users}); the file is {@code <name>.csv}
     * @param table    published table, or null when the file is only checked
     * @param v11      columns in OneRoster 1.1 (null: not a 1.1 file)
     * @param v12      columns in OneRoster 1.2 (null: not a 1.2 file)
     * @param extra    staging columns filled by the importer, not from one column (with their SQL types)
     * @param stageOnly staging columns that are not published (names, birth date: they go to the roster only)
     */
    record FileSpec(String name, String table, List<Col> v11, List<Col> v12, Map<String, String> extra,
                    Set<String> stageOnly) {
        String fileName() {
            return name + ".csv";
        }

        List<Col> columns(String version) {
            return "1.2".equals(version) ? v12 : v11;
        }

        /** The temporary table the file's rows are staged in (one per import's transaction). */
        String stageTable() {
            return "sis_stage_" + name.toLowerCase(Locale.ROOT);
        }

        /** The staging column a column of the file (in either version) feeds. */
        String stageColumn(String column) {
            for (List<Col> cols : List.of(Objects.requireNonNullElse(v11, List.<Col>of()),
                    Objects.requireNonNullElse(v12, List.<Col>of()))) {
                for (Col c : cols) {
                    if (c.name().equals(column) && c.target() != null) {
                        return c.target();
                    }
                }
            }
            throw new IllegalArgumentException(name + " has no staged column " + column);
        }

        /** Staging columns in order (line first), with SQL types. */
        Map<String, String> stageColumns() {
            Map<String, String> m = new LinkedHashMap<>();
            for (List<Col> cols : new List[]{v11, v12}) {
                if (cols != null) {
                    for (Col c : cols) {
                        if (c.target() != null) {
                            m.putIfAbsent(c.target(), c.sqlType());
                        }
                    }
                }
            }
            m.putAll(extra);
            return m;
        }

        List<String> publishedColumns() {
            return stageColumns().keySet().stream().filter(c -> !stageOnly.contains(c)).toList();
        }
    }

    static final Set<String> USER_ROLES = Set.of("administrator", "aide", "guardian", "parent", "proctor", "relative",
            "student", "teacher", "counselor", "districtAdministrator", "principal", "siteAdministrator",
            "systemAdministrator");
    static final Set<String> ENROLLMENT_ROLES = Set.of("administrator", "proctor", "student", "teacher", "aide",
            "guardian", "parent", "relative");

    /** Every file the hub reads, in the order they are staged. */
    static final List<FileSpec> FILES = new ArrayList<>();
    /** Files of the standard the hub does not use (their manifest entries are accepted, the files not read). */
    static final Set<String> UNUSED = Set.of("categories", "courseResources", "lineItems", "results",
            "lineItemLearningObjectiveIds", "lineItemScoreScales", "resultLearningObjectiveIds",
            "resultScoreScales", "scoreScales", "userResources");

    static {
        List<Col> sessions = List.of(id(), status(), dlm(),
                col("title", Kind.TEXT, true, "title"),
                en("type", true, "type", "gradingPeriod", "semester", "schoolYear", "term"),
                col("startDate", Kind.DATE, true, "start_date"),
                col("endDate", Kind.DATE, true, "end_date"),
                col("parentSourcedId", Kind.ID, false, "parent_sourced_id"),
                col("schoolYear", Kind.YEAR, true, "school_year_number"));
        FILES.add(new FileSpec("academicSessions", "sis_academic_session", sessions, sessions, Map.of(), Set.of()));

        List<Col> orgs = List.of(id(), status(), dlm(),
                col("name", Kind.TEXT, true, "name"),
                en("type", true, "type", "department", "school", "district", "local", "state", "national"),
                col("identifier", Kind.TEXT, false, "identifier"),
                col("parentSourcedId", Kind.ID, false, "parent_sourced_id"));
        FILES.add(new FileSpec("orgs", "sis_org", orgs, orgs, Map.of(), Set.of()));

        List<Col> courses = List.of(id(), status(), dlm(),
                alias(col("schoolYearSourcedId", Kind.ID, false, "school_year_sourced_id"), "schoolYearId"),
                col("title", Kind.TEXT, true, "title"),
                col("courseCode", Kind.TEXT, false, "course_code"),
                alias(col("grades", Kind.TEXT, false, "grades"), "grade"),
                col("orgSourcedId", Kind.ID, true, "org_sourced_id"),
                col("subjects", Kind.TEXT, false, "subjects"),
                col("subjectCodes", Kind.TEXT, false, null));
        FILES.add(new FileSpec("courses", "sis_course", courses, courses, Map.of(), Set.of()));

        List<Col> classes = List.of(id(), status(), dlm(),
                col("title", Kind.TEXT, true, "title"),
                alias(col("grades", Kind.TEXT, false, "grades"), "grade"),
                col("courseSourcedId", Kind.ID, true, "course_sourced_id"),
                col("classCode", Kind.TEXT, false, "class_code"),
                col("classType", Kind.TEXT, true, "class_type"),
                col("location", Kind.TEXT, false, null),
                col("schoolSourcedId", Kind.ID, true, "school_sourced_id"),
                col("termSourcedIds", Kind.IDLIST, true, "term_sourced_ids"),
                col("subjects", Kind.TEXT, false, null),
                col("subjectCodes", Kind.TEXT, false, null),
                col("periods", Kind.TEXT, false, null));
        FILES.add(new FileSpec("classes", "sis_class", classes, classes, Map.of(), Set.of()));

        // resources: vendorResourceId is the state catalog's credential code of what a class offers
        List<Col> resources = List.of(id(), status(), dlm(),
                col("vendorResourceId", Kind.ID, true, "vendor_resource_id"),
                col("title", Kind.TEXT, false, "title"),
                col("roles", Kind.TEXT, false, null),
                col("importance", Kind.TEXT, false, null),
                col("vendorId", Kind.TEXT, false, "vendor_id"),
                col("applicationId", Kind.TEXT, false, null));
        FILES.add(new FileSpec("resources", "sis_resource", resources, resources, Map.of(), Set.of()));

        List<Col> classResources = List.of(id(), status(), dlm(),
                col("title", Kind.TEXT, false, "title"),
                col("classSourcedId", Kind.ID, true, "class_sourced_id"),
                col("resourceSourcedId", Kind.ID, true, "resource_sourced_id"));
        FILES.add(new FileSpec("classResources", "sis_class_resource", classResources, classResources, Map.of(),
                Set.of()));

        List<Col> users11 = List.of(id(), status(), dlm(),
                col("enabledUser", Kind.BOOL, true, "enabled_user"),
                col("orgSourcedIds", Kind.IDLIST, true, "org_sourced_ids"),
                en("role", true, "role", USER_ROLES.toArray(String[]::new)),
                col("username", Kind.TEXT, true, null),
                alias(col("userIds", Kind.USERIDS, false, null), "userId"),
                col("givenName", Kind.TEXT, true, "given_name"),
                col("familyName", Kind.TEXT, true, "family_name"),
                col("middleName", Kind.TEXT, false, null),
                col("identifier", Kind.TEXT, false, null),
                col("email", Kind.TEXT, false, null),
                col("sms", Kind.TEXT, false, null),
                col("phone", Kind.TEXT, false, null),
                alias(col("agentSourcedIds", Kind.IDLIST, false, null), "agents"),
                col("grades", Kind.TEXT, false, "grades"),
                col("password", Kind.TEXT, false, null));
        List<Col> users12 = List.of(id(), status(), dlm(),
                col("enabledUser", Kind.BOOL, true, "enabled_user"),
                col("username", Kind.TEXT, true, null),
                col("userIds", Kind.USERIDS, false, null),
                col("givenName", Kind.TEXT, true, "given_name"),
                col("familyName", Kind.TEXT, true, "family_name"),
                col("middleName", Kind.TEXT, false, null),
                col("identifier", Kind.TEXT, false, null),
                col("email", Kind.TEXT, false, null),
                col("sms", Kind.TEXT, false, null),
                col("phone", Kind.TEXT, false, null),
                col("agentSourcedIds", Kind.IDLIST, false, null),
                col("grades", Kind.TEXT, false, "grades"),
                col("password", Kind.TEXT, false, null),
                col("userMasterIdentifier", Kind.TEXT, false, null),
                col("preferredGivenName", Kind.TEXT, false, null),
                col("preferredMiddleName", Kind.TEXT, false, null),
                col("preferredFamilyName", Kind.TEXT, false, null),
                col("primaryOrgSourcedId", Kind.ID, false, "primary_org_sourced_id"),
                col("pronouns", Kind.TEXT, false, null));
        Map<String, String> userExtra = new LinkedHashMap<>();
        userExtra.put("state_id_hash", "text");
        userExtra.put("state_id_near", "text"); // the ID's keyed deletion neighbourhood, for the roster only
        userExtra.put("line_hash", "bigint");   // the line's hash (LineSets)
        FILES.add(new FileSpec("users", "sis_user", users11, users12, userExtra,
                Set.of("given_name", "family_name", "state_id_near")));

        List<Col> roles = List.of(id(), status(), dlm(),
                col("userSourcedId", Kind.ID, true, "user_sourced_id"),
                en("roleType", true, "role_type", "primary", "secondary"),
                en("role", true, "role", USER_ROLES.toArray(String[]::new)),
                col("beginDate", Kind.DATE, false, "begin_date"),
                col("endDate", Kind.DATE, false, "end_date"),
                col("orgSourcedId", Kind.ID, true, "org_sourced_id"),
                col("userProfileSourcedId", Kind.ID, false, null));
        FILES.add(new FileSpec("roles", "sis_role", null, roles, Map.of(), Set.of()));

        List<Col> profiles = List.of(id(), status(), dlm(),
                col("userSourcedId", Kind.ID, true, null),
                col("profileType", Kind.TEXT, true, null),
                col("vendorId", Kind.TEXT, true, null),
                col("applicationId", Kind.TEXT, false, null),
                col("description", Kind.TEXT, false, null),
                col("credentialType", Kind.TEXT, true, null),
                col("username", Kind.TEXT, true, null),
                col("password", Kind.TEXT, false, null));
        FILES.add(new FileSpec("userProfiles", null, null, profiles, Map.of(), Set.of()));

        List<Col> enrollments = List.of(id(), status(), dlm(),
                col("classSourcedId", Kind.ID, true, "class_sourced_id"),
                col("schoolSourcedId", Kind.ID, true, "school_sourced_id"),
                col("userSourcedId", Kind.ID, true, "user_sourced_id"),
                en("role", true, "role", ENROLLMENT_ROLES.toArray(String[]::new)),
                col("primary", Kind.BOOL, false, "is_primary"),
                col("beginDate", Kind.DATE, false, "begin_date"),
                col("endDate", Kind.DATE, false, "end_date"));
        // line_hash: the line's hash (LineSets), for the next bulk export to stage only the lines that changed
        FILES.add(new FileSpec("enrollments", "sis_enrollment", enrollments, enrollments, Map.of("line_hash", "bigint"),
                Set.of()));

        List<Col> demographics = List.of(alias(id(), "userSourcedId"), status(), dlm(),
                col("birthDate", Kind.DATE, false, "birth_date"),
                col("sex", Kind.SEX, false, "sex"),
                col("americanIndianOrAlaskaNative", Kind.FLAG, false, "american_indian_or_alaska_native"),
                col("asian", Kind.FLAG, false, "asian"),
                col("blackOrAfricanAmerican", Kind.FLAG, false, "black_or_african_american"),
                col("nativeHawaiianOrOtherPacificIslander", Kind.FLAG, false, "native_hawaiian_or_other_pacific_islander"),
                col("white", Kind.FLAG, false, "white"),
                col("demographicRaceTwoOrMoreRaces", Kind.FLAG, false, "two_or_more_races"),
                col("hispanicOrLatinoEthnicity", Kind.FLAG, false, "hispanic_or_latino"),
                col("countryOfBirthCode", Kind.TEXT, false, null),
                col("stateOfBirthAbbreviation", Kind.TEXT, false, null),
                col("cityOfBirth", Kind.TEXT, false, null),
                col("publicSchoolResidenceStatus", Kind.TEXT, false, null),
                program("economicallyDisadvantaged", "economically_disadvantaged"),
                program("multilingualLearner", "multilingual_learner", "englishLearner", "englishLanguageLearner"),
                program("studentWithDisability", "student_with_disability"));
        FILES.add(new FileSpec("demographics", "sis_demographics", demographics, demographics, Map.of("line_hash", "bigint"),
                Set.of("birth_date")));
    }

    /**
     * A column of a file that refers to sourcedIds of another file ({@code many}: a list of them). Once a
     * bundle is published, a staged row whose reference is not among the SIS's data (in the target file's
     * table) is kept, not linked, and listed with {@code message} as a warning.
     *
     * @param file   the referring file ({@code enrollments})
     * @param column its column ({@code classSourcedId})
     * @param target the file whose sourcedId it names ({@code classes})
     */
    record Ref(String file, String column, String target, boolean many, String message) {
        String stageColumn() {
            return OneRosterSpec.file(file).stageColumn(column);
        }

        String targetTable() {
            return OneRosterSpec.file(target).table();
        }
    }

    /** The warning of a reference to a sourcedId the SIS's data does not have. */
    private static final String DANGLING = "refers to a sourcedId that is not in this SIS's data (kept; not linked)";

    /** The references checked once a bundle is published, in the order they are checked (and their warnings listed). */
    static final List<Ref> REFERENCES = List.of(
            new Ref("orgs", "parentSourcedId", "orgs", false, DANGLING),
            new Ref("academicSessions", "parentSourcedId", "academicSessions", false, DANGLING),
            new Ref("courses", "orgSourcedId", "orgs", false, DANGLING),
            new Ref("courses", "schoolYearSourcedId", "academicSessions", false, DANGLING),
            new Ref("classes", "courseSourcedId", "courses", false, DANGLING),
            new Ref("classes", "schoolSourcedId", "orgs", false, DANGLING),
            new Ref("classes", "termSourcedIds", "academicSessions", true,
                    "a term is not among this SIS's academic sessions"),
            new Ref("users", "primaryOrgSourcedId", "orgs", false, DANGLING),
            new Ref("enrollments", "classSourcedId", "classes", false, DANGLING),
            new Ref("enrollments", "userSourcedId", "users", false, DANGLING),
            new Ref("enrollments", "schoolSourcedId", "orgs", false, DANGLING),
            new Ref("roles", "userSourcedId", "users", false, DANGLING),
            new Ref("demographics", "sourcedId", "users", false, DANGLING));

    static FileSpec file(String name) {
        return FILES.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    private OneRosterSpec() {
    }

    private static Col id() {
        return col("sourcedId", Kind.ID, true, "sourced_id");
    }

    private static Col status() {
        return col("status", Kind.STATUS, false, "status");
    }

    private static Col dlm() {
        return col("dateLastModified", Kind.DATETIME, false, "date_last_modified");
    }

    private static Col col(String name, Kind kind, boolean required, String target) {
        return new Col(name, kind, required, target, Set.of(), null);
    }

    private static Col en(String name, boolean required, String target, String... values) {
        return new Col(name, Kind.ENUM, required, target, Set.of(values), null);
    }

    /**
     * A program-participation flag (Table 4's groups), which OneRoster does not have: read from the extension column
     * {@code metadata.<anything>.<name>} of demographics.csv, or of one of the synonyms.
     */
    private static Col program(String name, String target, String... synonyms) {
        Set<String> names = new java.util.LinkedHashSet<>();
        names.add(name);
        names.addAll(List.of(synonyms));
        return new Col(name, Kind.PROGRAM, false, target, Set.copyOf(names), null);
    }

    private static Col alias(Col c, String alias) {
        return new Col(c.name(), c.kind(), c.required(), c.target(), c.values(), alias);
    }
}
