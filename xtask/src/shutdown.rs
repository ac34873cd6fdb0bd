//! The request to stop: SIGINT (Ctrl-C) or SIGTERM sets one flag, and every wait of the commands
//! polls it (`sleep`, `check`), so xtask stops within a poll interval whatever it is waiting
//! for. A second signal while the first is being handled exits at once (the children still die:
//! PR_SET_PDEATHSIG, see `process`).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::Result;

/// The exit status of a command stopped by a signal (the shell's 128 + SIGINT).
pub const EXIT_STATUS: i32 = 130;

/// How often a wait looks at the flag: the longest xtask takes to notice a stop request.
pub const POLL: Duration = Duration::from_millis(100);

static REQUESTED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

fn flag() -> &'static Arc<AtomicBool> {
    REQUESTED.get_or_init(|| Arc::new(AtomicBool::new(false)))
}

/// Makes SIGINT and SIGTERM request a stop instead of killing xtask outright (which would leave
/// no chance to stop the children in order). Idempotent.
pub fn install_handlers() -> Result<()> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    if INSTALLED.get().is_some() {
        return Ok(());
    }
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // Registered first, so it sees the flag as it was before this signal.
        signal_hook::flag::register_conditional_shutdown(signal, EXIT_STATUS, flag().clone())?;
        signal_hook::flag::register(signal, flag().clone())?;
    }
    let _ = INSTALLED.set(());
    Ok(())
}

/// Whether a stop was requested.
pub fn requested() -> bool {
    flag().load(Ordering::Relaxed)
}

/// The error of a command that stopped because it was asked to.
#[derive(Debug)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("stopped by a signal; everything it had started is stopped")
    }
}

impl std::error::Error for Interrupted {}

/// Fails with `Interrupted` if a stop was requested.
pub fn check() -> Result<()> {
    if requested() {
        return Err(Interrupted.into());
    }
    Ok(())
}

/// Sleeps for `duration`, or less if a stop is requested meanwhile (then fails with
/// `Interrupted`).
pub fn sleep(duration: Duration) -> Result<()> {
    let end = Instant::now() + duration;
    loop {
        check()?;
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(POLL));
    }
}

/// Whether `error` is the one of a requested stop.
pub fn is_interrupted(error: &(dyn std::error::Error + 'static)) -> bool {
    error.is::<Interrupted>()
}
