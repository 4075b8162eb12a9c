package org.credentialhub.demo;

import org.credentialhub.roster.RosterLoader;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The demo's synthetic state: two districts, four schools, a few hundred students with made-up names,
 * and certexam files for them, so that a newcomer sees data flow within a minute. Nothing here is real.
 */
public final class DemoData {
    public static final String[][] DISTRICTS = {{"910", "Demo City Schools"}, {"920", "Demo County Schools"}};
    public static final String[][] SCHOOLS = {
            {"910301", "910", "Riverside High"}, {"910302", "910", "Oak Grove High"},
            {"920301", "920", "Pine Ridge High"}, {"920302", "920", "Lakeview Early College"}};
    private static final String[] FIRST = {"Avery", "Jordan", "Mia", "Liam", "Sofia", "Noah", "Isabella", "Mason",
            "Harper", "Elijah", "Camila", "Lucas", "Aria", "Mateo", "Zoe", "Ethan", "Nora", "Caleb", "Layla", "Owen",
            "Maya", "Levi", "Riley", "Ezra", "Hazel", "Jaylen", "Imani", "Diego", "Aaliyah", "Wyatt"};
    private static final String[] LAST = {"Alvarez", "Brooks", "Chen", "Dawson", "Ellison", "Foster", "Garcia",
            "Hughes", "Ibarra", "Jenkins", "Kowalski", "Lopez", "McAllister", "Nguyen", "Okafor", "Patel", "Quinn",
            "Ramirez", "Sullivan", "Thompson", "Underwood", "Vasquez", "Washington", "Xiong", "Young", "Zimmerman"};

    private final Random random;
    private final List<RosterLoader.Student> students = new ArrayList<>();

    public DemoData(long seed, int size) {
        random = new Random(seed);
        for (int i = 0; i < size; i++) {
            String[] school = SCHOOLS[i % SCHOOLS.length];
            String stateId = String.format("%010d", 1_000_000_000L + 7919L * (i + 1));
            LocalDate born = LocalDate.of(2006 + random.nextInt(3), 1 + random.nextInt(12), 1 + random.nextInt(28));
            students.add(new RosterLoader.Student(stateId, FIRST[random.nextInt(FIRST.length)],
                    LAST[random.nextInt(LAST.length)], born, school[1], school[0]));
        }
    }

    public List<RosterLoader.Student> students() {
        return students;
    }

    /**
     * A certexam file ({@code certexam_results_YYYYMMDD.csv}: BOM, CRLF, RFC 4180) of attempts by roster
     * students; {@code withoutId} of them carry no state ID, one row has an impossible birth date.
     */
    public byte[] certexamFile(List<String> examCodes, int rows, int withoutId, boolean withBadRow) {
        StringBuilder sb = new StringBuilder("\uFEFF");
        sb.append("candidateId,orgCandidateId,firstName,lastName,email,birthDate,examName,examCode,examFormId,"
                + "deliveryDateTime,passFail,reportedScore,cutScore,rawScore,maxRawScore,percent,testCenterId,"
                + "testCenterName\r\n");
        for (int i = 0; i < rows; i++) {
            RosterLoader.Student s = students.get(random.nextInt(students.size()));
            String code = examCodes.get(random.nextInt(examCodes.size()));
            boolean pass = random.nextInt(10) < 7;
            int score = pass ? 700 + random.nextInt(300) : 300 + random.nextInt(399);
            String when = String.format("2025-%02d-%02dT%02d:%02d:00-04:00", 1 + random.nextInt(5),
                    1 + random.nextInt(28), 8 + random.nextInt(7), random.nextInt(60));
            String birth = withBadRow && i == rows - 1 ? "2007-02-30" : s.birthDate().toString();
            String school = "";
            for (String[] sc : SCHOOLS) {
                if (sc[0].equals(s.schoolCode())) {
                    school = sc[2];
                }
            }
            // rows without a state ID: some typed clean, some with a typo, some by people the roster lacks
            String first = s.firstName();
            String last = s.lastName();
            if (i < withoutId && i % 3 == 1) {
                last = last.substring(0, last.length() - 1);
                birth = s.birthDate().plusDays(31).toString();
            } else if (i < withoutId && i % 3 == 2) {
                first = "Quinn";
                last = "Nobody" + (char) ('a' + i % 26);
            }
            sb.append("C").append(100000 + i).append(',')
                    .append(i < withoutId ? "" : s.stateId()).append(',')
                    .append(first).append(',')
                    .append('"').append(last).append('"').append(',')
                    .append(s.firstName().toLowerCase()).append(i).append("@example.org,")
                    .append(birth).append(',')
                    .append("\"Certification exam ").append(code).append("\",")
                    .append(code).append(",F1,").append(when).append(',')
                    .append(pass ? "Pass" : "Fail").append(',').append(score).append(",700,")
                    .append(score / 20).append(",50,").append(score / 10).append(',')
                    .append("TC").append(s.schoolCode()).append(',').append(school).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
