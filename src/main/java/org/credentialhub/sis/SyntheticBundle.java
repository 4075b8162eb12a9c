package org.credentialhub.sis;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a synthetic OneRoster 1.1 bulk bundle (state scale if asked): districts and schools, a school
 * year with two semesters, CTE courses with the NC catalog's course codes, classes, students with state
 * IDs in {@code userIds} ({@code {state:...}}), demographics and enrollments. Columns are deliberately
 * in a non-standard order, with extension columns. For tests and {@code ./hub bench oneroster}; no real
 * person's data.
 */
public final class SyntheticBundle {
    static final String[] COURSE_CODES = {"AA21", "BM10", "CD10", "CI21", "CP11", "FE11", "HU40", "IC11", "IM11", "IT11",
            "ME11", "TR14", "AU22", "CS31", "FN41", "HL31", "IP31", "IV22", "ML05", "CL06"};
    private static final String[] GIVEN = {"Ana", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo"};
    private static final String[] FAMILY = {"Pena", "Okafor", "Lopez", "Nguyen", "Smith", "Brown", "Khan", "Ito"};

    private SyntheticBundle() {
    }

    /** The state student ID the bundle gives student {@code i} (0-based). */
    public static String stateId(int i) {
        return String.format("%010d", 1_000_000_000L + i);
    }

    /**
     * @param students               number of students
     * @param enrollmentsPerStudent  CTE class enrollments per student
     */
    public static void write(Path dir, int students, int enrollmentsPerStudent, long seed) throws IOException {
        Files.createDirectories(dir);
        Random rnd = new Random(seed);
        int schools = Math.max(1, students / 1000);
        int districts = Math.max(1, schools / 8);
        int classesPerSchool = Math.max(1, 1000 * enrollmentsPerStudent / 25);
        write(dir.resolve("manifest.csv"), """
                propertyName,value
                manifest.version,1.0
                oneroster.version,1.1
                file.academicSessions,bulk
                file.categories,absent
                file.classes,bulk
                file.classResources,absent
                file.courses,bulk
                file.courseResources,absent
                file.demographics,bulk
                file.enrollments,bulk
                file.lineItems,absent
                file.orgs,bulk
                file.resources,absent
                file.results,absent
                file.users,bulk
                source.systemName,synthetic
                source.systemCode,synthetic
                """);
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("orgs.csv"), StandardCharsets.UTF_8)) {
            w.write("sourcedId,name,type,identifier,ext_region,parentSourcedId,status,dateLastModified\n");
            for (int d = 0; d < districts; d++) {
                w.write("org-d" + d + ",District " + d + ",district," + (900 + d) + ",east,,active,2024-08-01T00:00:00Z\n");
            }
            for (int s = 0; s < schools; s++) {
                int d = s % districts;
                w.write("org-s" + s + ",School " + s + ",school," + (900 + d) + String.format("%03d", s) + ",east,org-d" + d
                        + ",active,2024-08-01T00:00:00Z\n");
            }
        }
        write(dir.resolve("academicSessions.csv"), """
                title,sourcedId,status,dateLastModified,type,startDate,endDate,parentSourcedId,schoolYear
                2024-25,as-2025,active,2024-08-01T00:00:00Z,schoolYear,2024-07-01,2025-06-30,,2025
                Fall 2024,as-2025-s1,active,2024-08-01T00:00:00Z,semester,2024-08-26,2025-01-17,as-2025,2025
                Spring 2025,as-2025-s2,active,2024-08-01T00:00:00Z,semester,2025-01-21,2025-06-06,as-2025,2025
                """);
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("courses.csv"), StandardCharsets.UTF_8)) {
            w.write("sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes,metadata.credits\n");
            for (int i = 0; i < COURSE_CODES.length; i++) {
                w.write("crs-" + i + ",active,2024-08-01T00:00:00Z,as-2025,Course " + COURSE_CODES[i] + "," + COURSE_CODES[i]
                        + ",\"09,10,11,12\",org-d0,CTE,,1\n");
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("classes.csv"), StandardCharsets.UTF_8)) {
            w.write("sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n");
            for (int s = 0; s < schools; s++) {
                for (int k = 0; k < classesPerSchool; k++) {
                    int course = (s + k) % COURSE_CODES.length;
                    w.write("cls-" + s + "-" + k + ",active,2024-08-01T00:00:00Z,Class " + k + ",,crs-" + course + ",C" + k
                            + ",scheduled,,org-s" + s + ",as-2025-s" + (1 + k % 2) + ",CTE,,1\n");
                }
            }
        }
        try (BufferedWriter users = Files.newBufferedWriter(dir.resolve("users.csv"), StandardCharsets.UTF_8);
             BufferedWriter demo = Files.newBufferedWriter(dir.resolve("demographics.csv"), StandardCharsets.UTF_8);
             BufferedWriter enr = Files.newBufferedWriter(dir.resolve("enrollments.csv"), StandardCharsets.UTF_8)) {
            users.write("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,"
                    + "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,ext_lunch\n");
            demo.write("sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,"
                    + "nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,"
                    + "countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus\n");
            enr.write("sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate,status,dateLastModified\n");
            for (int i = 0; i < students; i++) {
                int s = i % schools;
                String id = "usr-" + i;
                String given = GIVEN[rnd.nextInt(GIVEN.length)];
                String family = FAMILY[rnd.nextInt(FAMILY.length)];
                int grade = 9 + rnd.nextInt(4);
                users.write(id + ",active,2024-08-01T00:00:00Z,true,org-s" + s + ",student," + given.toLowerCase() + i
                        + ",\"{LDAP:" + i + "},{state:" + stateId(i) + "}\"," + given + "," + family + ",,L" + i + ",,,,,"
                        + grade + ",,N\n");
                int race = rnd.nextInt(5);
                demo.write(id + ",active,2024-08-01T00:00:00Z," + (2006 + rnd.nextInt(4)) + "-0" + (1 + rnd.nextInt(9)) + "-1"
                        + rnd.nextInt(9) + "," + (rnd.nextBoolean() ? "female" : "male") + ",false," + (race == 1) + ","
                        + (race == 2) + ",false," + (race == 0) + ",false," + (race == 3) + ",,,,\n");
                for (int e = 0; e < enrollmentsPerStudent; e++) {
                    int k = rnd.nextInt(classesPerSchool);
                    enr.write("enr-" + i + "-" + e + ",cls-" + s + "-" + k + ",org-s" + s + "," + id
                            + ",student,false,2024-08-26,2025-06-06,active,2024-08-01T00:00:00Z\n");
                }
            }
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
