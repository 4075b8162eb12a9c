package org.credentialhub.generate;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Who the students are (names, birth dates, state and local IDs, e-mail) and the OneRoster 1.2 bulk CSV bundle.
 * Entries past {@link #rosterSize} are people who are not on the roster (results for nobody the state knows).
 */
public final class Roster {
    /** The OneRoster 1.2 columns of the classes, class resources and enrollments the generator writes (every year's). */
    static final List<String> CLASS_COLUMNS = List.of("sourcedId", "status", "dateLastModified", "title", "grades",
            "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects",
            "subjectCodes", "periods");
    static final List<String> CLASS_RESOURCE_COLUMNS = List.of("sourcedId", "status", "dateLastModified", "title",
            "classSourcedId", "resourceSourcedId");
    static final List<String> ENROLLMENT_COLUMNS = List.of("sourcedId", "status", "dateLastModified", "classSourcedId",
            "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate");


    public static final String YEAR = "2024-2025";
    static final String MODIFIED = "2025-06-30T00:00:00.000Z";
    static final LocalDate YEAR_START = LocalDate.of(2024, 7, 1);
    static final LocalDate YEAR_END = LocalDate.of(2025, 6, 30);

    public final int rosterSize;
    public final String[] stateId;
    public final String[] localId;
    public final String[] first;
    public final String[] middle;
    public final String[] last;
    public final String[] sex;
    public final String[] race;
    public final String[] email;
    public final LocalDate[] birth;
    public final int[] grade;
    public final int[] school;
    /** Program participation of the roster's students ({@link #drawGroups}). */
    public final boolean[] economicallyDisadvantaged;
    public final boolean[] multilingualLearner;
    public final boolean[] withDisability;
    final Set<String> allIds = new HashSet<>();
    /** Whose state ID each one is (index into the arrays). */
    final Map<String, Integer> idOwner = new HashMap<>();
    private final StatePlan plan;
    /** teachers: per school, the first teacher index; names. */
    private final List<String[]> teachers = new ArrayList<>();
    private final int[] firstTeacher;

    record Person(String first, String middle, String last, String sex, String race) { }

    static List<Person> people(Path file) throws IOException {
        List<Person> l = new ArrayList<>();
        for (CSVRecord r : Catalog.read(file)) {
            l.add(new Person(r.get("first_name"), r.get("middle_initial"), r.get("last_name"), r.get("sex"),
                    r.get("race_ethnicity")));
        }
        return l;
    }

    Roster(StatePlan plan, List<Person> people, int outsiders, SplittableRandom rnd) {
        this.plan = plan;
        rosterSize = plan.students.size();
        int n = rosterSize + outsiders;
        stateId = new String[n];
        localId = new String[n];
        first = new String[n];
        middle = new String[n];
        last = new String[n];
        sex = new String[n];
        race = new String[n];
        email = new String[n];
        birth = new LocalDate[n];
        grade = new int[n];
        school = new int[n];
        economicallyDisadvantaged = new boolean[rosterSize];
        multilingualLearner = new boolean[rosterSize];
        withDisability = new boolean[rosterSize];
        Map<String, List<String>> surnames = new LinkedHashMap<>();
        for (Person p : people) {
            surnames.computeIfAbsent(p.race(), k -> new ArrayList<>()).add(p.last());
        }
        Set<String> locals = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Person p = people.get(rnd.nextInt(people.size()));
            List<String> sn = surnames.get(p.race());
            String f = Names.capitalized(p.first());
            String l = Names.capitalized(sn.get(rnd.nextInt(sn.size())));
            if (p.race().equalsIgnoreCase("Latino") && rnd.nextInt(10) < 7) {
                f = Names.accented(f);
                l = Names.accented(l);
            }
            if (rnd.nextInt(40) == 0) {
                l = l + "-" + Names.capitalized(sn.get(rnd.nextInt(sn.size())));
            }
            first[i] = f;
            middle[i] = p.middle();
            last[i] = l;
            sex[i] = p.sex().toLowerCase().startsWith("f") ? "female" : "male";
            race[i] = p.race();
            // a dense range, as states assign IDs in sequence: every other number of 1000000000.. is someone's, so a
            // digit typo often lands on another student's ID (one draw per person, as before)
            String id = String.valueOf(1_000_000_000L + 2L * i + (rnd.nextLong() & 1));
            allIds.add(id);
            idOwner.put(id, i);
            stateId[i] = id;
            String loc;
            do {
                loc = String.valueOf(100_000 + rnd.nextInt(900_000)) + rnd.nextInt(10);
            } while (!locals.add(loc));
            localId[i] = loc;
            int g = 9 + pick(rnd, 30, 28, 23, 19);
            grade[i] = g;
            LocalDate from = LocalDate.of(2018 - g, 9, 1).minusYears(rnd.nextInt(30) == 0 ? 1 : 0);
            birth[i] = from.plusDays(rnd.nextInt(365));
            school[i] = i < rosterSize ? plan.students.get(i).school : rnd.nextInt(plan.schools.size());
            String slug = plan.tables.districts.get(plan.schools.get(school[i]).district).psu().toLowerCase();
            email[i] = (Names.ascii(f).replaceAll("[^A-Za-z]", "").toLowerCase() + "."
                    + Names.ascii(l).replaceAll("[^A-Za-z]", "").toLowerCase() + (10 + rnd.nextInt(90))
                    + "@stu.psu" + slug + ".k12.nc.us");
        }
        firstTeacher = new int[plan.schools.size()];
        for (int s = 0; s < plan.schools.size(); s++) {
            firstTeacher[s] = teachers.size();
            int count = Math.max(1, plan.schools.get(s).classes.size() / 5);
            for (int t = 0; t < count; t++) {
                Person p = people.get(rnd.nextInt(people.size()));
                teachers.add(new String[] {Names.capitalized(p.first()), Names.capitalized(p.last())});
            }
            List<Integer> cls = plan.schools.get(s).classes;
            for (int i = 0; i < cls.size(); i++) {
                plan.classes.get(cls.get(i)).teacher = firstTeacher[s] + i % count;
            }
        }
    }

    /**
     * Draws each roster student's program participation with the scenario's proportions
     * ({@code economically_disadvantaged}, {@code multilingual_learner}, {@code student_with_disability}), from a
     * random stream of its own so that nothing else drawn changes.
     */
    void drawGroups(Map<String, Double> proportions, SplittableRandom rnd) {
        double ed = proportions.get("economically_disadvantaged");
        double ml = proportions.get("multilingual_learner");
        double swd = proportions.get("student_with_disability");
        for (int i = 0; i < rosterSize; i++) {
            economicallyDisadvantaged[i] = rnd.nextDouble() < ed;
            multilingualLearner[i] = rnd.nextDouble() < ml;
            withDisability[i] = rnd.nextDouble() < swd;
        }
    }

    static int pick(SplittableRandom rnd, int... weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int x = rnd.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    public String personalEmail(int i) {
        return Names.ascii(first[i]).replaceAll("[^A-Za-z]", "").toLowerCase()
                + Names.ascii(last[i]).replaceAll("[^A-Za-z]", "").toLowerCase() + (stateId[i].charAt(7))
                + stateId[i].charAt(9) + "@gmail.com";
    }

    public String studentSourcedId(int i) {
        return "stu-" + stateId[i];
    }

    // ---------------------------------------------------------------- OneRoster bundle

    static final String[] TERMS = {"2024-2025-S1", "2024-2025-S2", YEAR};
    static final String[][] TERM_DATES = {{"2024-08-26", "2025-01-17"}, {"2025-01-21", "2025-06-11"},
        {"2024-07-01", "2025-06-30"}};

    Map<String, Long> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Long> counts = new LinkedHashMap<>();
        try (CSVPrinter p = printer(dir.resolve("manifest.csv"))) {
            p.printRecord("propertyName", "value");
            p.printRecord("manifest.version", "1.0");
            p.printRecord("oneroster.version", "1.2");
            for (String f : new String[] {"academicSessions", "categories", "classes", "classResources", "courses",
                "courseResources", "demographics", "enrollments", "lineItemLearningObjectiveIds", "lineItems",
                "lineItemScoreScales", "orgs", "resources", "resultLearningObjectiveIds", "results",
                "resultScoreScales", "roles", "scoreScales", "userProfiles", "userResources", "users"}) {
                boolean bulk = Set.of("academicSessions", "classes", "classResources", "courses", "demographics",
                        "enrollments", "orgs", "resources", "roles", "users").contains(f);
                p.printRecord("file." + f, bulk ? "bulk" : "absent");
            }
            p.printRecord("source.systemName", "credential-hub generate");
            p.printRecord("source.systemCode", "credential-hub");
        }
        long n = 0;
        try (CSVPrinter p = printer(dir.resolve("academicSessions.csv"))) {
            p.printRecord("sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
                    "parentSourcedId", "schoolYear");
            p.printRecord(YEAR, "active", MODIFIED, YEAR, "schoolYear", "2024-07-01", "2025-06-30", "", "2025");
            p.printRecord(TERMS[0], "active", MODIFIED, "Fall 2024", "semester", TERM_DATES[0][0], TERM_DATES[0][1], YEAR, "2025");
            p.printRecord(TERMS[1], "active", MODIFIED, "Spring 2025", "semester", TERM_DATES[1][0], TERM_DATES[1][1], YEAR, "2025");
            n = 3;
        }
        counts.put("oneroster/academicSessions.csv", n);
        List<PublishedTables.DistrictRow> districts = plan.tables.districts;
        try (CSVPrinter p = printer(dir.resolve("orgs.csv"))) {
            p.printRecord("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId");
            n = 0;
            for (PublishedTables.DistrictRow d : districts) {
                p.printRecord("org-" + d.psu(), "active", MODIFIED, d.name(), "district", d.psu(), "");
                n++;
            }
            for (StatePlan.School s : plan.schools) {
                p.printRecord("sch-" + s.code, "active", MODIFIED, s.name, "school", s.code,
                        "org-" + districts.get(s.district).psu());
                n++;
            }
        }
        counts.put("oneroster/orgs.csv", n);
        Set<String> courses = new java.util.TreeSet<>();
        for (StatePlan.Klass k : plan.classes) {
            courses.add(districts.get(k.district).psu() + "\t" + plan.courseCodes.get(k.course));
        }
        try (CSVPrinter p = printer(dir.resolve("courses.csv"))) {
            p.printRecord("sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode",
                    "grades", "orgSourcedId", "subjects", "subjectCodes");
            for (String c : courses) {
                String[] x = c.split("\t");
                p.printRecord(courseId(x[0], x[1]), "active", MODIFIED, YEAR,
                        plan.catalog.courses.get(x[1]).title(), x[1], "09,10,11,12", "org-" + x[0], "CTE", "");
            }
        }
        counts.put("oneroster/courses.csv", (long) courses.size());
        Set<String> resources = new java.util.TreeSet<>();
        long classResources = 0;
        long enrollments = 0;
        try (CSVPrinter cl = printer(dir.resolve("classes.csv"));
             CSVPrinter cr = printer(dir.resolve("classResources.csv"));
             CSVPrinter en = printer(dir.resolve("enrollments.csv"))) {
            cl.printRecord(CLASS_COLUMNS);
            cr.printRecord(CLASS_RESOURCE_COLUMNS);
            en.printRecord(ENROLLMENT_COLUMNS);
            for (int ci = 0; ci < plan.classes.size(); ci++) {
                StatePlan.Klass k = plan.classes.get(ci);
                StatePlan.School s = plan.schools.get(k.school);
                String psu = districts.get(k.district).psu();
                String code = plan.courseCodes.get(k.course);
                String id = "cls-" + (ci + 1);
                int term = ci % 5 == 0 ? 2 : ci % 2;
                int period = 1 + ci % 4;
                cl.printRecord(id, "active", MODIFIED, plan.catalog.courses.get(code).title() + " - P" + period, "",
                        courseId(psu, code), code + "-" + (ci + 1), "scheduled", "", "sch-" + s.code, TERMS[term],
                        "CTE", "", String.valueOf(period));
                for (int r : k.offered) {
                    String cred = plan.tables.courseCredentials.get(r).credentialCode();
                    resources.add(cred);
                    cr.printRecord(id + "-" + cred, "active", MODIFIED, "credential exam", id, "res-" + cred);
                    classResources++;
                }
                String[] dates = TERM_DATES[term];
                en.printRecord(id + "-t", "active", MODIFIED, id, "sch-" + s.code, "tch-" + (k.teacher + 1), "teacher",
                        "true", dates[0], dates[1]);
                enrollments++;
                for (int st : k.students) {
                    en.printRecord(id + "-" + stateId[st], "active", MODIFIED, id, "sch-" + s.code,
                            studentSourcedId(st), "student", "false", dates[0], dates[1]);
                    enrollments++;
                }
            }
        }
        counts.put("oneroster/classes.csv", (long) plan.classes.size());
        counts.put("oneroster/classResources.csv", classResources);
        counts.put("oneroster/enrollments.csv", enrollments);
        try (CSVPrinter p = printer(dir.resolve("resources.csv"))) {
            p.printRecord("sourcedId", "status", "dateLastModified", "vendorResourceId", "title", "roles", "importance",
                    "vendorId", "applicationId");
            for (String cred : resources) {
                Catalog.Credential c = plan.catalog.credentials.get(cred);
                p.printRecord("res-" + cred, "active", MODIFIED, cred, c.name(), "student", "primary", c.deliveredBy(), "");
            }
        }
        counts.put("oneroster/resources.csv", (long) resources.size());
        try (CSVPrinter u = printer(dir.resolve("users.csv"));
             CSVPrinter ro = printer(dir.resolve("roles.csv"));
             CSVPrinter de = printer(dir.resolve("demographics.csv"))) {
            u.printRecord("sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName",
                    "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
                    "password", "userMasterIdentifier", "preferredGivenName", "preferredMiddleName",
                    "preferredFamilyName", "primaryOrgSourcedId", "pronouns");
            ro.printRecord("sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate",
                    "endDate", "orgSourcedId", "userProfileSourcedId");
            de.printRecord("sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative",
                    "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white",
                    "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode",
                    "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus",
                    "metadata.nc.economicallyDisadvantaged", "metadata.nc.multilingualLearner",
                    "metadata.nc.studentWithDisability");
            for (int s = 0; s < plan.schools.size(); s++) {
                String org = "sch-" + plan.schools.get(s).code;
                int end = s + 1 < plan.schools.size() ? firstTeacher[s + 1] : teachers.size();
                for (int t = firstTeacher[s]; t < end; t++) {
                    String id = "tch-" + (t + 1);
                    String[] name = teachers.get(t);
                    u.printRecord(id, "active", MODIFIED, "true", "t" + (t + 1), "", name[0], name[1], "", "T" + (t + 1),
                            "", "", "", "", "", "", "", "", "", "", org, "");
                    ro.printRecord(id + "-r", "active", MODIFIED, id, "primary", "teacher", "", "", org, "");
                }
            }
            for (int i = 0; i < rosterSize; i++) {
                String id = studentSourcedId(i);
                String org = "sch-" + plan.schools.get(school[i]).code;
                u.printRecord(id, "active", MODIFIED, "true", email[i].substring(0, email[i].indexOf('@')),
                        "{LocalID:" + localId[i] + "}", first[i], last[i], middle[i], stateId[i], email[i], "", "", "",
                        String.valueOf(grade[i]), "", stateId[i], "", "", "", org, "");
                ro.printRecord(id + "-r", "active", MODIFIED, id, "primary", "student", "", "", org, "");
                String r = race[i].toLowerCase();
                de.printRecord(id, "active", MODIFIED, birth[i].toString(), sex[i], flag(r, "aian"),
                        flag(r, "asian"), flag(r, "black"), flag(r, "nhopi"), flag(r, "white"), flag(r, "multiracial"),
                        flag(r, "latino"), "", "", "", "", String.valueOf(economicallyDisadvantaged[i]),
                        String.valueOf(multilingualLearner[i]), String.valueOf(withDisability[i]));
            }
        }
        counts.put("oneroster/users.csv", (long) rosterSize + teachers.size());
        counts.put("oneroster/roles.csv", (long) rosterSize + teachers.size());
        counts.put("oneroster/demographics.csv", (long) rosterSize);
        return counts;
    }

    private static String flag(String race, String word) {
        return race.contains(word) ? "true" : "false";
    }

    static String courseId(String psu, String code) {
        return "crs-" + psu + "-" + code;
    }

    static CSVPrinter printer(Path file) throws IOException {
        return new CSVPrinter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), CSVFormat.RFC4180);
    }
}
