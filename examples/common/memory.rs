//! This process's resident memory, from Linux's /proc/self (`None` elsewhere).

/// A memory figure from /proc/self/status (`VmRSS` now, `VmHWM` the peak), in MiB.
pub fn memory(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Sets the peak (`VmHWM`) back to the memory resident now, so that the next reading is the
/// peak of what runs in between (`5` written to /proc/self/clear_refs, Linux ≥ 4.0); whether
/// that worked.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The peak resident memory of `f`'s run, in MiB, beside its result (`None` where the peak
/// cannot be reset and read).
pub fn peak_of<T>(f: impl FnOnce() -> T) -> (T, Option<f64>) {
    let reset = reset_peak();
    let out = f();
    (out, memory("VmHWM").filter(|_| reset))
}
