fn main() -> std::process::ExitCode {
    ramguard::cli::main()
}
