// Reads its page template relative to the working directory, as web frameworks that load
// templates/ at start-up do, and prints the rendered line.
use std::fs;
use std::process::exit;

fn main() {
    let template = match fs::read_to_string("templates/page.txt") {
        Ok(text) => text,
        Err(err) => {
            eprintln!("rootweb: templates/page.txt: {err}");
            exit(1);
        }
    };
    let page = template.trim_end().replace("{{name}}", "world");
    println!("{page} ({} {})", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
}
