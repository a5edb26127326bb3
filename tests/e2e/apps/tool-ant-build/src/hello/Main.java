package hello;

/** Greets the names on its command line. */
public final class Main {
    public static void main(String[] args) {
        System.out.println("hello, " + String.join(" ", args) + " (built with ant)");
    }
}
