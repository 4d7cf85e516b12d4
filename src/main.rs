// mimalloc: linting allocates many small strings per document across threads, where glibc's
// allocator spent a quarter of the run (perf, 10,000-file corpus).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ramguard::cli::main()
}
