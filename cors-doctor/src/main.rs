use clap::Parser;

fn main() -> std::process::ExitCode {
    cors_doctor::run(&cors_doctor::Cli::parse())
}
