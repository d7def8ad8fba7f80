//! The `impact` command. All the work happens in the library crate.

fn main() -> std::process::ExitCode {
    impact::cli::main()
}
