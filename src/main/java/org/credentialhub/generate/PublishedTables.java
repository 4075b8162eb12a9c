package org.credentialhub.generate;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The published Tables 10 (attainment by PSU) and 11 (attainment by course and credential), parsed, mapped to
 * catalog codes and optionally scaled.
 */
public final class PublishedTables {

    public static final String T10_HEADER = "Public School Unit (PSU),Earned,Potential,Attainment Rate";
    public static final String T11_HEADER = "Course,Credential Name,Earned,Potential,Attainment Rate";

    /** One PSU (district) row: label as published, e.g. "Alamance-Burlington Schools (10)". */
    public record DistrictRow(String label, String name, String psu, long earned, long potential) { }

    /** One course-credential row: course label as published ("AA21-Animal Science I"). */
    public record CourseCredentialRow(String courseLabel, String credentialName, String courseCode, String credentialCode,
                                      long earned, long potential) { }

    public final List<DistrictRow> districts;
    public final List<CourseCredentialRow> courseCredentials;

    public PublishedTables(List<DistrictRow> districts, List<CourseCredentialRow> courseCredentials) {
        this.districts = districts;
        this.courseCredentials = courseCredentials;
    }

    private static final Pattern PSU = Pattern.compile("^(.*) \\(([^()]+)\\)$");

    public static PublishedTables load(Path table10, Path table11, Catalog catalog) throws IOException {
        List<DistrictRow> d = new ArrayList<>();
        for (CSVRecord r : Catalog.read(table10)) {
            String label = r.get(0);
            Matcher m = PSU.matcher(label);
            if (!m.matches()) {
                throw new IOException(table10.getFileName() + ": no PSU code in row " + r.getRecordNumber());
            }
            d.add(new DistrictRow(label, m.group(1), m.group(2), number(r.get(1)), number(r.get(2))));
        }
        List<CourseCredentialRow> c = new ArrayList<>();
        for (CSVRecord r : Catalog.read(table11)) {
            String label = r.get(0);
            int dash = label.indexOf('-');
            String course = dash < 0 ? label : label.substring(0, dash);
            String name = r.get(1);
            String code = null;
            for (String k : catalog.alignments.getOrDefault(course, List.of())) {
                if (catalog.credentials.get(k).name().equals(name)) {
                    code = k;
                }
            }
            if (code == null) {
                throw new IOException(table11.getFileName() + ": row " + (r.getRecordNumber() + 1)
                        + " names no credential aligned to course " + course + " in the catalog");
            }
            c.add(new CourseCredentialRow(label, name, course, code, number(r.get(2)), number(r.get(3))));
        }
        return new PublishedTables(d, c);
    }

    static long number(String s) {
        return Long.parseLong(s.replace(",", "").trim());
    }

    public long totalEarned() {
        return courseCredentials.stream().mapToLong(CourseCredentialRow::earned).sum();
    }

    public long totalPotential() {
        return courseCredentials.stream().mapToLong(CourseCredentialRow::potential).sum();
    }

    /**
     * Every count times {@code scale}, rounded half up; rows whose potential becomes 0 are dropped. Table 11 is
     * scaled row by row (so a course's credentials keep sharing their potential); Table 10's rounded counts are then
     * moved by one, districts with the largest rounding remainder first, until its totals equal Table 11's.
     */
    public PublishedTables scaled(BigDecimal scale) {
        if (scale.compareTo(BigDecimal.ONE) == 0) {
            return this;
        }
        List<CourseCredentialRow> c = new ArrayList<>();
        for (CourseCredentialRow r : courseCredentials) {
            long p = halfUp(r.potential(), scale);
            long e = Math.min(p, halfUp(r.earned(), scale));
            if (p > 0) {
                c.add(new CourseCredentialRow(r.courseLabel(), r.credentialName(), r.courseCode(), r.credentialCode(), e, p));
            }
        }
        long wantE = c.stream().mapToLong(CourseCredentialRow::earned).sum();
        long wantP = c.stream().mapToLong(CourseCredentialRow::potential).sum();
        int n = districts.size();
        long[] p = new long[n];
        long[] e = new long[n];
        BigDecimal[] remP = new BigDecimal[n];
        BigDecimal[] remE = new BigDecimal[n];
        for (int i = 0; i < n; i++) {
            DistrictRow r = districts.get(i);
            BigDecimal xp = BigDecimal.valueOf(r.potential()).multiply(scale);
            BigDecimal xe = BigDecimal.valueOf(r.earned()).multiply(scale);
            p[i] = xp.setScale(0, RoundingMode.HALF_UP).longValueExact();
            e[i] = Math.min(p[i], xe.setScale(0, RoundingMode.HALF_UP).longValueExact());
            remP[i] = xp.subtract(BigDecimal.valueOf(p[i]));
            remE[i] = xe.subtract(BigDecimal.valueOf(e[i]));
        }
        adjust(p, remP, wantP, null);
        for (int i = 0; i < n; i++) {
            if (e[i] > p[i]) {
                remE[i] = remE[i].add(BigDecimal.valueOf(e[i] - p[i]));
                e[i] = p[i];
            }
        }
        adjust(e, remE, wantE, p);
        List<DistrictRow> d = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (p[i] > 0) {
                DistrictRow r = districts.get(i);
                d.add(new DistrictRow(r.label(), r.name(), r.psu(), e[i], p[i]));
            }
        }
        return new PublishedTables(d, c);
    }

    /** Moves values by one (largest remainder first when adding, smallest when removing) until they sum to want. */
    private static void adjust(long[] v, BigDecimal[] rem, long want, long[] cap) {
        long sum = 0;
        for (long x : v) {
            sum += x;
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            order.add(i);
        }
        Comparator<Integer> byRem = Comparator.comparing((Integer i) -> rem[i]).thenComparing(i -> i);
        while (sum != want) {
            boolean moved = false;
            if (sum < want) {
                order.sort(byRem.reversed());
                for (int i : order) {
                    if (sum == want) break;
                    if (cap == null || v[i] < cap[i]) {
                        v[i]++; rem[i] = rem[i].subtract(BigDecimal.ONE); sum++; moved = true;
                    }
                }
            } else {
                order.sort(byRem);
                for (int i : order) {
                    if (sum == want) break;
                    if (cap != null ? v[i] > 0 : v[i] > 1) {
                        v[i]--; rem[i] = rem[i].add(BigDecimal.ONE); sum--; moved = true;
                    }
                }
            }
            if (!moved) {
                throw new IllegalStateException("cannot make Table 10 totals agree with Table 11 at this scale");
            }
        }
    }

    static long halfUp(long value, BigDecimal scale) {
        return BigDecimal.valueOf(value).multiply(scale).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    /** "41.0%" (Table 10: one decimal) or "65%" (Table 11: whole percent), rounded half up as published. */
    public static String rate(long earned, long potential, int decimals) {
        if (potential == 0) {
            return "";
        }
        return BigDecimal.valueOf(earned).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(potential), decimals, RoundingMode.HALF_UP).toPlainString() + "%";
    }

    static String count(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }

    public void writeTable10(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter p = new CSVPrinter(w, CSVFormat.RFC4180)) {
            p.printRecord((Object[]) T10_HEADER.split(","));
            for (DistrictRow r : districts) {
                p.printRecord(r.label(), count(r.earned()), count(r.potential()), rate(r.earned(), r.potential(), 1));
            }
        }
    }

    public void writeTable11(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter p = new CSVPrinter(w, CSVFormat.RFC4180)) {
            p.printRecord((Object[]) T11_HEADER.split(","));
            for (CourseCredentialRow r : courseCredentials) {
                p.printRecord(r.courseLabel(), r.credentialName(), count(r.earned()), count(r.potential()),
                        rate(r.earned(), r.potential(), 0));
            }
        }
    }
}
