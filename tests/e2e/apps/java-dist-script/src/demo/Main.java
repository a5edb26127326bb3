package demo;

import java.io.InputStream;
import java.util.Properties;

/** Reads its greeting from conf/app.properties on the classpath; started by run.sh. */
public final class Main {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        try (InputStream in = Main.class.getClassLoader().getResourceAsStream("app.properties")) {
            if (in == null) {
                System.err.println("java-dist-script: app.properties is not on the classpath");
                System.exit(1);
            }
            props.load(in);
        }
        String who = args.length > 0 ? args[0] : "nobody";
        System.out.println(props.getProperty("greeting", "?") + ", " + who + " (from dist/)");
    }
}
