//! Records the build date for the `$CondorVersion: … $` line.

fn main() {
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "1970-01-01".to_string());
    println!("cargo:rustc-env=AERIE_BUILD_DATE={date}");
    println!("cargo:rerun-if-changed=build.rs");
}
