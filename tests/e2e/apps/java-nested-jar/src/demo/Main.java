package demo;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;

/**
 * Reads a greeting from a jar nested in its own jar (lib/words.jar), as the launcher of a
 * fat jar (Spring Boot's) reads its dependencies.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        try (InputStream nested = Main.class.getResourceAsStream("/lib/words.jar");
                JarInputStream jar = new JarInputStream(nested)) {
            for (JarEntry entry = jar.getNextJarEntry(); entry != null; entry = jar.getNextJarEntry()) {
                if (entry.getName().equals("greeting.txt")) {
                    String greeting = new String(jar.readAllBytes(), StandardCharsets.UTF_8).trim();
                    String who = args.length > 0 ? String.join(" ", args) : "nobody";
                    System.out.println("java-nested-jar ok (java " + Runtime.version().feature()
                            + "): " + greeting + ", " + who);
                    return;
                }
            }
        }
        System.err.println("java-nested-jar: no greeting.txt in lib/words.jar");
        System.exit(1);
    }
}
