//! Timing: run a closure many times after a warm-up and keep the percentiles.

use std::time::{Duration, Instant};

use anyhow::Result;

/// Percentiles of many runs of one figure.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timing {
    pub(crate) p50: Duration,
    pub(crate) p95: Duration,
}

/// Runs `run(iteration)` `iterations` times after a few unmeasured warm-up runs (the figures
/// are warm: caches filled, statements prepared).
pub(crate) fn measure(
    iterations: usize,
    mut run: impl FnMut(usize) -> Result<()>,
) -> Result<Timing> {
    const WARM_UP: usize = 5;
    for iteration in 0..WARM_UP {
        run(iteration)?;
    }
    let mut samples = Vec::with_capacity(iterations);
    for iteration in 0..iterations {
        let started = Instant::now();
        run(WARM_UP + iteration)?;
        samples.push(started.elapsed());
    }
    samples.sort();
    Ok(Timing {
        p50: percentile(&samples, 50),
        p95: percentile(&samples, 95),
    })
}

pub(crate) fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * percent).div_ceil(100).saturating_sub(1);
    sorted[rank.min(sorted.len() - 1)]
}

pub(crate) fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

/// Peak and current resident memory of this process in MiB, from `/proc/self/status`.
pub(crate) fn memory() -> (Option<f64>, Option<f64>) {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return (None, None);
    };
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kib| kib.parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Resets this process's peak resident memory (VmHWM) to its current size, so a later
/// [`memory`] reports the peak of what ran since. False where the kernel does not allow it.
pub(crate) fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_hundred_samples() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let cases = [(50, 50), (95, 95), (100, 100), (1, 1)];
        for (percent, expected) in cases {
            assert_eq!(
                percentile(&samples, percent),
                Duration::from_millis(expected)
            );
        }
        assert_eq!(percentile(&[], 95), Duration::ZERO);
    }
}
