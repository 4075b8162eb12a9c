package org.credentialhub.cli;

import org.credentialhub.accounts.Role;
import org.credentialhub.runtime.Settings;
import org.credentialhub.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage web accounts.",
        subcommands = {UserCommand.Add.class})
public final class UserCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("Use: ./hub user add --role ROLE [--district CODE] [--feed FEED] NAME  (password on standard input)");
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Create an account; its password is read from standard input (first line).")
    static final class Add implements Callable<Integer> {
        @Option(names = "--role", required = true, description = "ops, district-admin, district-staff or vendor")
        String role;

        @Option(names = "--district", description = "the district (PSU) code, for district roles")
        String district;

        @Option(names = "--feed", description = "the vendor's feed, for the vendor role")
        String feed;

        @Parameters(index = "0", description = "user name")
        String name;

        @Override
        public Integer call() throws Exception {
            Role r = Role.parse(role);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String password = in.readLine();
            if (password == null || password.isEmpty()) {
                return Exit.error("user add", "give the password on standard input, e.g. printf '%s\\n' \"$PW\" | ./hub user add ...");
            }
            Settings settings = Settings.standalone(Map.of());
            try (Database db = settings.openDatabase()) {
                org.credentialhub.runtime.HubServices.accounts(db.dataSource(), settings).create(name, r, district, feed, password, "cli");
                System.out.println("created " + r.key() + " account " + name + (district == null ? "" : " for district " + district));
                return 0;
            } catch (IllegalArgumentException e) {
                return Exit.error("user add", e.getMessage());
            }
        }
    }
}
