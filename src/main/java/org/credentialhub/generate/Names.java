package org.credentialhub.generate;

import java.text.Normalizer;
import java.util.Map;
import java.util.SplittableRandom;

/** Name helpers: school names, nicknames, accents, typos. */
final class Names {

    private Names() { }

    private static final String[] SCHOOL_PATTERNS = {
        "%s High School", "North %s High School", "South %s High School", "East %s High School",
        "West %s High School", "%s Early College High School", "%s Career Academy", "Central %s High School",
        "%s Middle College", "%s Innovation High School", "%s STEM Academy", "%s Technical High School",
        "%s New Tech High School", "%s Academy of Arts"
    };

    static String schoolName(String districtName, int i, boolean single, SplittableRandom rnd) {
        if (single) {
            return districtName;
        }
        String base = districtName.replaceAll("(?i)\\s*(County|City)?\\s*(Public )?Schools?$", "")
                .replaceAll("(?i) County$", "").trim();
        if (base.isEmpty()) {
            base = districtName;
        }
        return String.format(SCHOOL_PATTERNS[i % SCHOOL_PATTERNS.length], base)
                + (i >= SCHOOL_PATTERNS.length ? " " + (i / SCHOOL_PATTERNS.length + 1) : "");
    }

    static final Map<String, String> NICKNAMES = Map.ofEntries(
        Map.entry("Robert", "Bob"), Map.entry("William", "Will"), Map.entry("Elizabeth", "Liz"),
        Map.entry("Katherine", "Kate"), Map.entry("Catherine", "Cathy"), Map.entry("Jennifer", "Jen"),
        Map.entry("Michael", "Mike"), Map.entry("Christopher", "Chris"), Map.entry("Joseph", "Joe"),
        Map.entry("Jonathan", "Jon"), Map.entry("Matthew", "Matt"), Map.entry("Nicholas", "Nick"),
        Map.entry("Anthony", "Tony"), Map.entry("Daniel", "Danny"), Map.entry("James", "Jimmy"),
        Map.entry("Richard", "Rick"), Map.entry("Thomas", "Tom"), Map.entry("Alexander", "Alex"),
        Map.entry("Benjamin", "Ben"), Map.entry("Samuel", "Sam"), Map.entry("Jessica", "Jess"),
        Map.entry("Rebecca", "Becky"), Map.entry("Margaret", "Maggie"), Map.entry("Patricia", "Patty"),
        Map.entry("Victoria", "Tori"), Map.entry("Zachary", "Zach"), Map.entry("Andrew", "Drew"),
        Map.entry("Joshua", "Josh"), Map.entry("Timothy", "Tim"), Map.entry("Steven", "Steve"),
        Map.entry("Kenneth", "Ken"), Map.entry("Gregory", "Greg"), Map.entry("Abigail", "Abby"),
        Map.entry("Samantha", "Sammy"), Map.entry("Alexandra", "Lexi"), Map.entry("Madison", "Maddie"),
        Map.entry("Isabella", "Bella"), Map.entry("Gabriel", "Gabe"), Map.entry("Nathaniel", "Nate"),
        Map.entry("Jacob", "Jake"), Map.entry("Edward", "Eddie"), Map.entry("David", "Dave"),
        Map.entry("Charles", "Charlie"), Map.entry("Kimberly", "Kim"), Map.entry("Deborah", "Debbie"),
        Map.entry("Christina", "Tina"), Map.entry("Cynthia", "Cindy"), Map.entry("Susan", "Sue"),
        Map.entry("Donald", "Don"), Map.entry("Ronald", "Ron"), Map.entry("Douglas", "Doug"),
        Map.entry("Raymond", "Ray"), Map.entry("Lawrence", "Larry"), Map.entry("Frederick", "Fred"),
        Map.entry("Theodore", "Teddy"), Map.entry("Jeffrey", "Jeff"), Map.entry("Gerald", "Jerry"),
        Map.entry("Pamela", "Pam"), Map.entry("Sandra", "Sandy"), Map.entry("Angela", "Angie"),
        Map.entry("Jose", "Pepe"), Map.entry("Francisco", "Paco"), Map.entry("Guadalupe", "Lupe"),
        Map.entry("Kevin", "Kev"), Map.entry("Brandon", "Brandy"), Map.entry("Destiny", "Des"),
        Map.entry("Jasmine", "Jazz"), Map.entry("Elijah", "Eli"), Map.entry("Dominic", "Dom"));

    private static final Map<String, String> ACCENTED = Map.ofEntries(
        Map.entry("Pena", "Peña"), Map.entry("Munoz", "Muñoz"), Map.entry("Nunez", "Núñez"),
        Map.entry("Gonzalez", "González"), Map.entry("Rodriguez", "Rodríguez"), Map.entry("Hernandez", "Hernández"),
        Map.entry("Martinez", "Martínez"), Map.entry("Garcia", "García"), Map.entry("Lopez", "López"),
        Map.entry("Perez", "Pérez"), Map.entry("Sanchez", "Sánchez"), Map.entry("Ramirez", "Ramírez"),
        Map.entry("Gomez", "Gómez"), Map.entry("Diaz", "Díaz"), Map.entry("Jimenez", "Jiménez"),
        Map.entry("Alvarez", "Álvarez"), Map.entry("Ibanez", "Ibáñez"), Map.entry("Castaneda", "Castañeda"),
        Map.entry("Ordonez", "Ordóñez"), Map.entry("Velazquez", "Velázquez"), Map.entry("Fernandez", "Fernández"),
        Map.entry("Gutierrez", "Gutiérrez"), Map.entry("Jose", "José"), Map.entry("Maria", "María"),
        Map.entry("Sofia", "Sofía"), Map.entry("Jesus", "Jesús"), Map.entry("Ines", "Inés"),
        Map.entry("Andres", "Andrés"), Map.entry("Raul", "Raúl"), Map.entry("Ruben", "Rubén"),
        Map.entry("Ivan", "Iván"), Map.entry("Angel", "Ángel"), Map.entry("Nicolas", "Nicolás"));

    /** The accented spelling of a Hispanic name, if there is one. */
    static String accented(String name) {
        return ACCENTED.getOrDefault(name, name);
    }

    /** Without accents (what ASCII-only vendor systems keep). */
    static String ascii(String s) {
        if (s.chars().allMatch(ch -> ch >= 0x20 && ch <= 0x7E)) {
            return s;   // most names: nothing to take off
        }
        String n = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
        return n.replaceAll("[^\\x20-\\x7E]", "");
    }

    static boolean hasAccent(String s) {
        return !ascii(s).equals(s);
    }

    private static final String KEYS = "qwertyuiopasdfghjklzxcvbnm";

    /** One typing mistake: a swapped, dropped, doubled or replaced letter. */
    static String typo(String s, SplittableRandom rnd) {
        if (s.length() < 3) {
            return s + s.charAt(s.length() - 1);
        }
        int i = 1 + rnd.nextInt(s.length() - 2);
        switch (rnd.nextInt(4)) {
            case 0:
                if (s.charAt(i) != s.charAt(i + 1)) {
                    return s.substring(0, i) + s.charAt(i + 1) + s.charAt(i) + s.substring(i + 2);
                }
                return s.substring(0, i) + s.substring(i + 1);
            case 1:
                return s.substring(0, i) + s.substring(i + 1);
            case 2:
                return s.substring(0, i) + s.charAt(i) + s.substring(i);
            default:
                char c = KEYS.charAt(rnd.nextInt(KEYS.length()));
                if (Character.toLowerCase(s.charAt(i)) == c) {
                    c = c == 'a' ? 'e' : 'a';
                }
                return s.substring(0, i) + c + s.substring(i + 1);
        }
    }

    static String capitalized(String s) {
        if (s.isEmpty()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        boolean start = true;
        for (char c : s.toCharArray()) {
            b.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = c == ' ' || c == '-' || c == '\'';
        }
        return b.toString();
    }
}
