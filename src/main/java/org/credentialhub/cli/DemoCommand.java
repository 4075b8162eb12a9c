package org.credentialhub.cli;

import org.credentialhub.accounts.Passwords;
import org.credentialhub.accounts.Role;
import org.credentialhub.demo.DemoData;
import org.credentialhub.dropbox.SftpUpload;
import org.credentialhub.runtime.HubRuntime;
import org.credentialhub.runtime.HubServices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the hub on embedded defaults (in-process SFTP drop box, private PostgreSQL) with demo data.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--students", description = "Size of the demo roster (default ${DEFAULT-VALUE}).")
    int students = 400;

    @Option(names = "--data-dir", description = "Where the demo keeps its database and files (default: data).")
    String dataDir;

    private final List<String[]> demoAccounts = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new java.util.HashMap<>();
        overrides.put("hub.demo", "true");
        overrides.put("hub.reporting.cron", "0/30 * * * * ?");
        if (dataDir != null) {
            overrides.put("hub.data.dir", dataDir);
        }
        HubRuntime hub = new HubRuntime(overrides);
        hub.run(() -> {
            try {
                seed(hub.services());
            } catch (Exception e) {
                System.err.println("demo: could not load the demo data: " + e.getMessage());
            }
            Banner.print(hub, true);
            if (!demoAccounts.isEmpty()) {
                StringBuilder b = new StringBuilder("Web accounts (one-time passwords, shown only now):\n");
                for (String[] a : demoAccounts) {
                    b.append(String.format("  %-14s %-15s %-9s password %s%n", a[0], a[1],
                            a[2].isEmpty() ? "" : "district " + a[2], a[3]));
                }
                b.append("Sign in at http://localhost:").append(hub.camel().getPropertiesComponent()
                        .resolveProperty("camel.server.port").orElse("8080")).append("/ui/\n");
                System.out.println(b);
            }
        });
        return 0;
    }

    private void seed(HubServices s) throws Exception {
        DemoData demo = new DemoData(42, students);
        try (Connection c = s.database.dataSource().getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select count(*) from student")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    System.out.println("demo: roster already loaded; dropping no new files (delete the data folder to start over)");
                    return;
                }
            }
            try (PreparedStatement d = c.prepareStatement("insert into district values (?, ?) on conflict do nothing");
                 PreparedStatement sc = c.prepareStatement("insert into school values (?, ?, ?) on conflict do nothing")) {
                for (String[] x : DemoData.DISTRICTS) {
                    d.setString(1, x[0]);
                    d.setString(2, x[1]);
                    d.executeUpdate();
                }
                for (String[] x : DemoData.SCHOOLS) {
                    sc.setString(1, x[0]);
                    sc.setString(2, x[1]);
                    sc.setString(3, x[2]);
                    sc.executeUpdate();
                }
            }
        }
        s.roster.load(demo.students());
        demoAccounts.add(new String[]{"ops", "ops", "", Passwords.generate()});
        demoAccounts.add(new String[]{"district-910", "district-staff", "910", Passwords.generate()});
        demoAccounts.add(new String[]{"district-920", "district-staff", "920", Passwords.generate()});
        for (String[] a : demoAccounts) {
            s.accounts.create(a[0], Role.parse(a[1]), a[2].isEmpty() ? null : a[2], null, a[3], "demo");
        }
        List<String> codes = new ArrayList<>();
        try (Connection c = s.database.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select exam_code from catalog_exam_code where feed_code = 'certexam' "
                     + "and school_year = '2024-2025' order by exam_code")) {
            while (rs.next()) {
                codes.add(rs.getString(1));
            }
        }
        String pw = s.sftpPasswords.get("certexam");
        if (pw == null || s.dropBox == null || codes.isEmpty()) {
            return;
        }
        try (SftpUpload up = new SftpUpload("127.0.0.1", s.dropBox.port(), "certexam", pw)) {
            byte[] first = demo.certexamFile(codes, 60, 8, true);
            up.put("inbox/certexam_results_20250314.csv", first);
            up.put("inbox/certexam_results_20250401.csv", demo.certexamFile(codes, 40, 5, false));
            up.put("inbox/certexam_results_20250314_resend.csv", first);
        }
        System.out.println("demo: loaded " + students + " students and dropped 3 certexam files (one a re-send)");
    }
}
