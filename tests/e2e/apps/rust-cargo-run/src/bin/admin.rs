//! admin: a second binary of the package; `cargo run` needs `default-run` to pick greeter.

fn main() {
    println!("admin {}", env!("CARGO_PKG_VERSION"));
}
