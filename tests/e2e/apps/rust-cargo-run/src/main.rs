//! greeter: `greeter --name NAME` prints a greeting and which build profile made it.
//! Started with `cargo run --release`, which compiles it when the container starts.

use std::env;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let name = match args.as_slice() {
        [flag, value] if flag == "--name" => value.clone(),
        _ => {
            eprintln!("usage: greeter --name NAME");
            return ExitCode::from(2);
        }
    };
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("hello, {name} (greeter {}, {profile} build)", env!("CARGO_PKG_VERSION"));
    ExitCode::SUCCESS
}
