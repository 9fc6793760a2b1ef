//! Decides whether the memory-cgroup test can run here: it needs a writable cgroup v1
//! memory controller (a container or a cgroup-v2-only host has none). Where there is none
//! the test is compiled as ignored, so `cargo test` reports it as skipped, not as passed.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(confab_memory_cgroup)");
    let writable = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|own| {
            own.lines().find_map(|l| {
                let mut parts = l.splitn(3, ':');
                let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
                controllers
                    .split(',')
                    .any(|c| c == "memory")
                    .then(|| path.trim_start_matches('/').to_owned())
            })
        })
        .map(|path| Path::new("/sys/fs/cgroup/memory").join(path))
        .is_some_and(|dir| {
            // Writable means: a child cgroup can be made (and is removed at once).
            let probe = dir.join(format!("confab-build-probe-{}", std::process::id()));
            let made = std::fs::create_dir(&probe).is_ok()
                && std::fs::write(probe.join("memory.limit_in_bytes"), "67108864").is_ok();
            let _ = std::fs::remove_dir(&probe);
            made
        });
    if writable {
        println!("cargo::rustc-cfg=confab_memory_cgroup");
    }
}
