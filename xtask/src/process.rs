//! Child processes that never outlive xtask. Each runs in a process group of its own (so the
//! terminal's Ctrl-C reaches xtask alone, which stops them in order, and stopping one stops what
//! it started too), gets SIGTERM when xtask dies however it dies (PR_SET_PDEATHSIG), and is
//! stopped, its group included, when its handle is dropped: on success, on error and on a stop
//! request alike.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use crate::{shutdown, Result};

/// How long a process has to exit after SIGTERM before its group gets SIGKILL.
pub const GRACE: Duration = Duration::from_secs(5);

/// A running child and its process group.
pub struct Supervised {
    pub name: String,
    /// The file its stdout and stderr go to, when they are not xtask's own.
    pub log: Option<PathBuf>,
    child: Child,
    status: Option<ExitStatus>,
    terminated_at: Option<Instant>,
    /// Stopped with SIGKILL at once: for a process whose state is thrown away with its run
    /// folder and whose orderly shutdown would take longer than a stop may (VictoriaMetrics
    /// flushing what it holds).
    disposable: bool,
}

impl Supervised {
    /// Starts `cmd` in a process group of its own, to die with xtask.
    pub fn spawn(name: &str, cmd: &mut Command, log: Option<&Path>) -> Result<Supervised> {
        let parent = std::process::id() as libc::pid_t;
        cmd.process_group(0);
        // SAFETY: prctl, getppid and raise are async-signal-safe, and the closure allocates
        // nothing.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // xtask may have died before the line above: then nobody would signal.
                if libc::getppid() != parent {
                    libc::raise(libc::SIGTERM);
                }
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {name} ({cmd:?}): {e}"))?;
        Ok(Supervised {
            name: name.to_owned(),
            log: log.map(Path::to_path_buf),
            child,
            status: None,
            terminated_at: None,
            disposable: false,
        })
    }

    /// The same, stopped at once (see `disposable`).
    pub fn disposable(mut self) -> Supervised {
        self.disposable = true;
        self
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its exit status, once it has exited.
    pub fn exited(&mut self) -> Result<Option<ExitStatus>> {
        if self.status.is_none() {
            self.status = self.child.try_wait()?;
        }
        Ok(self.status)
    }

    fn signal_group(&self, signal: libc::c_int) {
        // SAFETY: a plain syscall; the group is the child's own (process_group(0)), and an
        // empty group only makes it fail with ESRCH.
        unsafe {
            libc::kill(-(self.child.id() as libc::pid_t), signal);
        }
    }

    /// Sends SIGTERM to its group without waiting (to stop several processes at once).
    pub fn begin_termination(&mut self) {
        if self.terminated_at.is_some() {
            return;
        }
        if !matches!(self.exited(), Ok(Some(_))) {
            self.signal_group(if self.disposable { libc::SIGKILL } else { libc::SIGTERM });
        }
        self.terminated_at = Some(Instant::now());
    }

    /// Stops it and its group: SIGTERM, then SIGKILL after `GRACE`; returns once it is reaped.
    pub fn stop(&mut self) {
        self.begin_termination();
        let deadline = self.terminated_at.unwrap_or_else(Instant::now) + GRACE;
        while !matches!(self.exited(), Ok(Some(_))) {
            if Instant::now() >= deadline {
                self.signal_group(libc::SIGKILL);
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Whatever it started and left behind in its group.
        self.signal_group(libc::SIGKILL);
    }

    /// Waits for it to exit, giving up (and stopping it) when a stop is requested.
    pub fn wait(&mut self) -> Result<ExitStatus> {
        loop {
            if let Some(status) = self.exited()? {
                return Ok(status);
            }
            shutdown::sleep(Duration::from_millis(50))?;
        }
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.stop();
    }
}
