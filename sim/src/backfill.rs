//! History for Prometheus: the same expositions at past moments, written as one OpenMetrics
//! file for `promtool tsdb create-blocks-from openmetrics`.
//!
//! Samples are taken every `fine_step_secs` over the last `fine_span_secs` before `to`, and
//! every `coarse_step_secs` before that (the grid ends exactly at `to`). Each family is written
//! once, metric after metric, each metric's points in time order, as OpenMetrics requires and
//! promtool's appender needs. The `_created` series are left out: they are constant and the
//! live scrape brings them.

use std::fmt;
use std::io::{self, Write};

use crate::config::{ConfigError, SimConfig};
use crate::exposition::{sample_lines, write_family_header, write_point, Exposition, Format};
use crate::state::Simulator;

/// What to backfill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackfillOptions {
    /// First moment (unix seconds); moments before the process start are skipped.
    pub from_unix: u64,
    /// Last moment (unix seconds, included).
    pub to_unix: u64,
    /// Step of the recent part, in seconds.
    pub fine_step_secs: u64,
    /// How far back from `to_unix` the recent part reaches, in seconds.
    pub fine_span_secs: u64,
    /// Step before the recent part, in seconds.
    pub coarse_step_secs: u64,
    /// Labels added to every sample. Prometheus attaches `job` and `instance` to what it
    /// scrapes; the backfill must carry the same pair for its series to be the scraped ones.
    pub extra_labels: Vec<(String, String)>,
}

impl BackfillOptions {
    /// The default resolution: 10 s over the last 6 hours, 30 s before; no extra labels.
    pub fn new(from_unix: u64, to_unix: u64) -> BackfillOptions {
        BackfillOptions {
            from_unix,
            to_unix,
            fine_step_secs: 10,
            fine_span_secs: 6 * 3_600,
            coarse_step_secs: 30,
            extra_labels: Vec::new(),
        }
    }

    /// The sample moments, ascending: the grid anchored at `to_unix`, clipped to the process
    /// lifetime.
    pub fn sample_times_unix(&self, config: &SimConfig) -> Vec<u64> {
        let from = self.from_unix.max(config.start_unix);
        if self.to_unix < from || self.fine_step_secs == 0 || self.coarse_step_secs == 0 {
            return Vec::new();
        }
        let fine_from = self.to_unix.saturating_sub(self.fine_span_secs).max(from);
        let mut times = Vec::new();
        let mut t = self.to_unix;
        loop {
            times.push(t);
            let step = if t > fine_from { self.fine_step_secs } else { self.coarse_step_secs };
            match t.checked_sub(step) {
                Some(next) if next >= from => t = next,
                _ => break,
            }
        }
        times.reverse();
        times
    }

    fn validate(&self) -> Result<(), BackfillError> {
        if self.from_unix > self.to_unix {
            return Err(BackfillError::Options(format!(
                "--from ({}) is after --to ({})",
                self.from_unix, self.to_unix
            )));
        }
        if self.fine_step_secs == 0 || self.coarse_step_secs == 0 {
            return Err(BackfillError::Options("steps must be at least 1 second".to_owned()));
        }
        for (name, _) in &self.extra_labels {
            let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with("__");
            if !valid {
                return Err(BackfillError::Options(format!("{name:?} is not a label name")));
            }
            if ["handler", "method", "status", "le", "library_id", "index_type", "operation", "generation"]
                .contains(&name.as_str())
            {
                return Err(BackfillError::Options(format!("label {name:?} is already used by the metrics")));
            }
        }
        Ok(())
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackfillSummary {
    /// Sample moments.
    pub timestamps: usize,
    /// Series (label sets) in the file.
    pub series: usize,
    /// Sample lines in the file.
    pub samples: usize,
}

/// Why a backfill failed.
#[derive(Debug)]
pub enum BackfillError {
    /// The simulation's configuration is invalid.
    Config(ConfigError),
    /// The options are inconsistent.
    Options(String),
    /// Writing failed.
    Io(io::Error),
}

impl fmt::Display for BackfillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackfillError::Config(e) => write!(f, "invalid simulation: {e}"),
            BackfillError::Options(e) => write!(f, "invalid backfill options: {e}"),
            BackfillError::Io(e) => write!(f, "cannot write the backfill: {e}"),
        }
    }
}

impl std::error::Error for BackfillError {}

impl From<io::Error> for BackfillError {
    fn from(e: io::Error) -> Self {
        BackfillError::Io(e)
    }
}

/// Writes the OpenMetrics backfill of `options` to `out`.
pub fn write_openmetrics(
    config: &SimConfig,
    options: &BackfillOptions,
    out: &mut impl Write,
) -> Result<BackfillSummary, BackfillError> {
    options.validate()?;
    let mut simulator = Simulator::new(*config).map_err(BackfillError::Config)?;
    let times = options.sample_times_unix(config);

    // One pass through time keeps every moment's values; the layout is the same at every
    // moment (all series exist from the start), so the first moment's is the file's.
    let mut layout: Option<Exposition> = None;
    let mut values_at: Vec<Vec<f64>> = Vec::with_capacity(times.len());
    for &t in &times {
        let exposition = Exposition::of(config, &simulator.snapshot_at(t));
        match &layout {
            None => layout = Some(exposition.clone()),
            Some(l) => debug_assert_eq!(l.families, exposition.families),
        }
        values_at.push(exposition.values);
    }

    let extra: Vec<(&str, &str)> = options.extra_labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut summary = BackfillSummary { timestamps: times.len(), series: 0, samples: 0 };
    let mut buffer = String::with_capacity(1 << 20);
    for family in layout.iter().flat_map(|l| &l.families) {
        write_family_header(&mut buffer, family, Format::OpenMetricsBackfill);
        for metric in &family.metrics {
            let lines = sample_lines(family, metric, &extra);
            summary.series += lines.len();
            summary.samples += lines.len() * times.len();
            for (t, values) in times.iter().zip(&values_at) {
                let values = &values[metric.values.clone()];
                write_point(&mut buffer, &lines, values, Format::OpenMetricsBackfill, Some(*t), |_| None);
                if buffer.len() > (1 << 20) {
                    out.write_all(buffer.as_bytes())?;
                    buffer.clear();
                }
            }
        }
    }
    buffer.push_str("# EOF\n");
    out.write_all(buffer.as_bytes())?;
    out.flush()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_fine_then_coarse_and_ends_at_to() {
        let config = SimConfig::new(0, 1);
        let mut o = BackfillOptions::new(1_000, 1_200);
        o.fine_span_secs = 60;
        let times = o.sample_times_unix(&config);
        assert_eq!(times, vec![1_020, 1_050, 1_080, 1_110, 1_140, 1_150, 1_160, 1_170, 1_180, 1_190, 1_200]);
        // Before the process start there is nothing to backfill.
        let late = SimConfig::new(1_150, 1);
        assert_eq!(o.sample_times_unix(&late), vec![1_150, 1_160, 1_170, 1_180, 1_190, 1_200]);
    }

    #[test]
    fn options_are_checked() {
        let mut o = BackfillOptions::new(10, 0);
        assert!(matches!(o.validate(), Err(BackfillError::Options(_))));
        o = BackfillOptions::new(0, 10);
        o.extra_labels = vec![("status".into(), "x".into())];
        assert!(matches!(o.validate(), Err(BackfillError::Options(_))));
        o.extra_labels = vec![("1job".into(), "x".into())];
        assert!(matches!(o.validate(), Err(BackfillError::Options(_))));
        o.extra_labels = vec![("job".into(), "arrwdb".into()), ("instance".into(), "127.0.0.1:8000".into())];
        assert!(o.validate().is_ok());
    }
}
