package org.credentialhub.sis;

import org.credentialhub.catalog.CatalogLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which credentials a class offers (resources.csv, classResources.csv) and the student_course_offer view:
 * course CL28 is aligned to three credentials in the NC 2024-2025 catalog; class A offers two of them (and a
 * textbook that is no credential), class B lists none (so offers all three).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OneRosterOfferTest extends OneRosterTestCase {
    OneRosterOfferTest() {
        super("oneroster-offer");
    }

    @BeforeAll
    void loadCatalog() throws Exception {
        new CatalogLoader(db.dataSource()).loadYear(Path.of("config/catalog/nc/2024-2025"));
    }

    private Path bundle(String name, String resources, String classResources) throws Exception {
        Path b = dir.resolve(name);
        Files.createDirectories(b);
        Files.writeString(b.resolve("manifest.csv"), """
                propertyName,value
                manifest.version,1.0
                oneroster.version,1.1
                file.academicSessions,bulk
                file.orgs,bulk
                file.courses,bulk
                file.classes,bulk
                file.users,bulk
                file.enrollments,bulk
                file.resources,bulk
                file.classResources,bulk
                """);
        Files.writeString(b.resolve("academicSessions.csv"), """
                sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear
                y,active,2024-08-01T00:00:00Z,2024-25,schoolYear,2024-07-01,2025-06-30,,2025
                """);
        Files.writeString(b.resolve("orgs.csv"), """
                sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
                d,active,2024-08-01T00:00:00Z,District,district,10,
                s,active,2024-08-01T00:00:00Z,School,school,100300,d
                """);
        Files.writeString(b.resolve("courses.csv"), """
                sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes
                crs,active,2024-08-01T00:00:00Z,y,Course,CL28,,d,,
                """);
        Files.writeString(b.resolve("classes.csv"), """
                sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods
                cls-a,active,2024-08-01T00:00:00Z,A,,crs,A,scheduled,,s,y,,,
                cls-b,active,2024-08-01T00:00:00Z,B,,crs,B,scheduled,,s,y,,,
                """);
        Files.writeString(b.resolve("users.csv"), """
                sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password
                u1,active,2024-08-01T00:00:00Z,true,s,student,x1,,A,B,,1000000001,,,,,10,
                u2,active,2024-08-01T00:00:00Z,true,s,student,x2,,C,D,,1000000002,,,,,10,
                """);
        Files.writeString(b.resolve("enrollments.csv"), """
                sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate
                e1,active,2024-08-01T00:00:00Z,cls-a,s,u1,student,false,,
                e2,active,2024-08-01T00:00:00Z,cls-b,s,u2,student,false,,
                """);
        Files.writeString(b.resolve("resources.csv"), resources);
        Files.writeString(b.resolve("classResources.csv"), classResources);
        return b;
    }

    private static final String RESOURCES = """
            sourcedId,status,dateLastModified,vendorResourceId,title,roles,importance,vendorId,applicationId
            r1,active,2024-08-01T00:00:00Z,NC-6DD7F2,One,student,primary,v,
            r2,active,2024-08-01T00:00:00Z,NC-83A7F8,Two,student,primary,v,
            r3,active,2024-08-01T00:00:00Z,BOOK-1,Textbook,student,secondary,v,
            """;

    @Test
    @Order(1)
    void aClassOffersWhatItListsAClassListingNoneOffersAllAligned() throws Exception {
        Verdict v = importer.importBundle(bundle("ok", RESOURCES, """
                sourcedId,status,dateLastModified,title,classSourcedId,resourceSourcedId
                cr1,active,2024-08-01T00:00:00Z,exam,cls-a,r1
                cr2,active,2024-08-01T00:00:00Z,exam,cls-a,r2
                cr3,active,2024-08-01T00:00:00Z,book,cls-a,r3
                """));
        assertTrue(v.accepted(), () -> v.problems().toString());
        assertEquals(List.of("cls-a BOOK-1", "cls-a NC-6DD7F2", "cls-a NC-83A7F8"),
                rows("select class_sourced_id || ' ' || credential_code from sis_class_credential order by 1"));
        assertEquals(List.of("cls-a CL28 NC-6DD7F2 10 100300 2024-2025", "cls-a CL28 NC-83A7F8 10 100300 2024-2025",
                        "cls-b CL28 NC-6DD7F2 10 100300 2024-2025", "cls-b CL28 NC-83A7F8 10 100300 2024-2025",
                        "cls-b CL28 NC-F07385 10 100300 2024-2025"),
                rows("select concat_ws(' ', class_sourced_id, course_code, credential_code, district_code, school_code,"
                        + " school_year) from student_course_offer where student_id is not null order by 1"));
    }

    @Test
    @Order(2)
    void aBulkReplacesWhatClassesOffer() throws Exception {
        // class A now offers only the third credential; class B still lists none
        Verdict v = importer.importBundle(bundle("again", RESOURCES.replace("r3,active,2024-08-01T00:00:00Z,BOOK-1",
                "r3,active,2024-09-01T00:00:00Z,NC-F07385"), """
                sourcedId,status,dateLastModified,title,classSourcedId,resourceSourcedId
                cr3,active,2024-08-01T00:00:00Z,exam,cls-a,r3
                """));
        assertTrue(v.accepted(), () -> v.problems().toString());
        assertEquals(List.of("cls-a NC-F07385", "cls-b NC-6DD7F2", "cls-b NC-83A7F8", "cls-b NC-F07385"),
                rows("select class_sourced_id || ' ' || credential_code from student_course_offer order by 1"));
    }

    @Test
    @Order(3)
    void unknownReferencesAndMissingVendorResourceIdAreRefused() throws Exception {
        List<String> before = rows("select class_sourced_id || ' ' || credential_code from sis_class_credential order by 1");
        Verdict v = importer.importBundle(bundle("bad", RESOURCES.replace(",NC-83A7F8,", ",,"), """
                sourcedId,status,dateLastModified,title,classSourcedId,resourceSourcedId
                cr1,active,2024-08-01T00:00:00Z,exam,cls-a,r1
                cr2,active,2024-08-01T00:00:00Z,exam,cls-zz,r2
                cr3,active,2024-08-01T00:00:00Z,exam,cls-b,r-zz
                """));
        assertFalse(v.accepted());
        List<String> problems = v.problems().stream().map(Problem::toString).toList();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("error: resources.csv line 3 column vendorResourceId")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("error: classResources.csv line 3 column classSourcedId")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("error: classResources.csv line 4 column resourceSourcedId")), problems::toString);
        assertEquals(before, rows("select class_sourced_id || ' ' || credential_code from sis_class_credential order by 1"));
    }

    @Test
    @Order(4)
    void aDeltaAddsAndRemovesOfferedCredentials() throws Exception {
        Path d = dir.resolve("delta");
        Files.createDirectories(d);
        Files.writeString(d.resolve("manifest.csv"), """
                propertyName,value
                manifest.version,1.0
                oneroster.version,1.1
                file.classResources,delta
                """);
        // class A drops its only credential and class B (listing none so far) now lists r1 (stored earlier)
        Files.writeString(d.resolve("classResources.csv"), """
                sourcedId,status,dateLastModified,title,classSourcedId,resourceSourcedId
                cr3,tobedeleted,2024-10-01T00:00:00Z,exam,cls-a,r3
                cr9,active,2024-10-01T00:00:00Z,exam,cls-b,r1
                """);
        Verdict v = importer.importBundle(d);
        assertTrue(v.accepted(), () -> v.problems().toString());
        assertEquals(List.of("cls-a NC-6DD7F2", "cls-a NC-83A7F8", "cls-a NC-F07385", "cls-b NC-6DD7F2"),
                rows("select class_sourced_id || ' ' || credential_code from student_course_offer order by 1"));
    }

    private List<String> rows(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
