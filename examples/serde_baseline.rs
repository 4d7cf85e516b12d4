//! The lint speed target's baseline: read every file and parse it with serde_json on every
//! core, nothing else. `cargo run --release --example serde_baseline -- DIR`.

use rayon::prelude::*;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: serde_baseline DIR");
        std::process::exit(2);
    };
    let paths: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
        Err(e) => {
            eprintln!("{dir}: {e}");
            std::process::exit(2);
        }
    };
    let ok = paths
        .par_iter()
        .filter(|p| {
            std::fs::read(p)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .is_some()
        })
        .count();
    println!("{ok} of {} files parsed", paths.len());
}
