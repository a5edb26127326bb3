package tool;

/** A command-line tool: the image has no command of its own, docker run names this one. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "nobody";
        String major = System.getProperty("java.specification.version");
        System.out.println("hello " + name + " from tool (Java " + major + ")");
    }
}
