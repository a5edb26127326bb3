package hello;

/** Prints the Java major version it runs on: the runtime must be the build's Java. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("java-vendor-image: hello from Java " + Runtime.version().feature());
    }
}
