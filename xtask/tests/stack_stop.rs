//! `cargo xtask serve` (the demo's stack, without installing or building) as a real child
//! process on free ports: when one of its processes dies, during the start-up or once the stack
//! runs, or it gets SIGINT or SIGTERM, it exits within a few seconds, says why, and leaves no
//! process behind.
//!
//! The command runs in a session of its own, which everything it starts inherits (none of them
//! calls setsid), so "left behind" is: any live process of that session once it has exited.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use xtask::free_port;

/// Longer than any start-up here, the simulator's release build included.
const START_UP_LIMIT: Duration = Duration::from_secs(900);
/// How long the command may take to exit once told to, or once a child died.
const PROMPT: Duration = Duration::from_secs(3);

/// A process of the system, from /proc/<pid>/stat.
#[derive(Debug)]
struct ProcessInfo {
    pid: i32,
    parent: i32,
    command: String,
    state: char,
    session: i32,
}

fn processes() -> Vec<ProcessInfo> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses.
            let (head, rest) = stat.rsplit_once(')')?;
            let command = head.split_once('(')?.1.to_owned();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            Some(ProcessInfo {
                pid,
                command,
                state: fields.first()?.chars().next()?,
                parent: fields.get(1)?.parse().ok()?,
                session: fields.get(3)?.parse().ok()?,
            })
        })
        .collect()
}

/// The live (not zombie) processes of a session.
fn live_in_session(session: i32) -> Vec<ProcessInfo> {
    processes()
        .into_iter()
        .filter(|p| p.session == session && p.state != 'Z')
        .collect()
}

/// `cargo xtask serve` running in a session of its own, its stdout and stderr collected line
/// by line.
struct Served {
    child: Child,
    session: i32,
    lines: Receiver<String>,
    output: Arc<Mutex<String>>,
}

impl Served {
    fn start(run_name: &str) -> Served {
        let dist = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{run_name}-dist"));
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(
            dist.join("index.html"),
            "<!DOCTYPE html><title>stub</title>",
        )
        .unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
        cmd.arg("serve")
            .arg("--run-name")
            .arg(run_name)
            .arg("--dist")
            .arg(&dist);
        for flag in [
            "--port",
            "--prometheus-port",
            "--sim-port",
            "--jaeger-port",
            "--victoria-metrics-port",
            "--cluster-prometheus-port",
            "--prometheus-site-port",
            "--node-exporter-port",
            "--alertmanager-port",
        ] {
            cmd.arg(flag).arg(free_port().unwrap().to_string());
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("start xtask serve");
        let session = child.id() as i32;
        let (send, lines) = mpsc::channel();
        let output = Arc::new(Mutex::new(String::new()));
        let stdout: Box<dyn std::io::Read + Send> = Box::new(child.stdout.take().unwrap());
        let stderr: Box<dyn std::io::Read + Send> = Box::new(child.stderr.take().unwrap());
        for pipe in [stdout, stderr] {
            let (send, collected) = (send.clone(), output.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(|l| l.ok()) {
                    collected.lock().unwrap().push_str(&format!("{line}\n"));
                    let _ = send.send(line);
                }
            });
        }
        Served {
            child,
            session,
            lines,
            output,
        }
    }

    /// Waits until it prints a line containing `text`.
    fn wait_for_line(&mut self, text: &str) {
        let deadline = Instant::now() + START_UP_LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(text) => return,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => panic!(
                    "no line with {text:?} within {START_UP_LIMIT:?}:\n{}",
                    self.output()
                ),
                // Both pipes closed: it has exited.
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "xtask exited ({:?}) before printing {text:?}:\n{}",
                    self.child.wait(),
                    self.output()
                ),
            }
        }
    }

    /// The pid of the process it started named `command` (as /proc shows it), the first one
    /// started of `expected` such processes (the stack starts three Prometheus servers: the
    /// fleet's, then one per cluster).
    fn pid_of(&self, command: &str, expected: usize) -> i32 {
        let found: Vec<ProcessInfo> = live_in_session(self.session)
            .into_iter()
            .filter(|p| p.command == command && p.parent == self.session)
            .collect();
        assert_eq!(found.len(), expected, "{command} processes: {found:?}");
        found.iter().map(|p| p.pid).min().unwrap()
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Waits for it to exit, failing if that takes longer than `PROMPT` from `since`.
    fn exits_promptly(&mut self, since: Instant, what: &str) -> ExitStatus {
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let took = since.elapsed();
                eprintln!("xtask exited {took:?} after {what}");
                assert!(
                    took <= PROMPT,
                    "xtask took {took:?} to exit after {what}:\n{}",
                    self.output()
                );
                return status;
            }
            assert!(
                since.elapsed() <= PROMPT,
                "xtask still runs {PROMPT:?} after {what}:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Asserts nothing of its session is left (what is dying gets a moment: a killed process
    /// is gone once its parent or init has reaped it).
    fn assert_nothing_left(&self) {
        self.assert_nothing_left_within(Duration::from_secs(1));
    }

    fn assert_nothing_left_within(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let left = live_in_session(self.session);
            if left.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "left running: {left:?}\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Served {
    /// Whatever an assertion left running is killed, so a failing test leaves nothing either.
    fn drop(&mut self) {
        for p in live_in_session(self.session) {
            // SAFETY: a plain syscall on a pid of this test's own session.
            unsafe {
                libc::kill(p.pid, libc::SIGKILL);
            }
        }
        let _ = self.child.wait();
    }
}

fn signal(pid: i32, signal: libc::c_int) {
    // SAFETY: a plain syscall on a pid this test started (or its child).
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill {pid}");
}

#[test]
fn a_child_that_dies_during_start_up_is_named_and_nothing_is_left() {
    let mut served = Served::start("stop-test-child-dies");
    served.wait_for_line("waiting for two scrapes");
    // The fleet's: the per-cluster ones are started after it, once it is ready.
    let prometheus = served.pid_of("prometheus", 3);
    signal(prometheus, libc::SIGKILL);
    let status = served.exits_promptly(Instant::now(), "Prometheus was killed");
    assert_eq!(status.code(), Some(1), "{}", served.output());
    let output = served.output();
    assert!(
        output.contains(
            "prometheus exited (signal: 9 (SIGKILL)) during start-up; its last output lines"
        ),
        "{output}"
    );
    served.assert_nothing_left();
}

#[test]
fn sigint_during_start_up_stops_everything_at_once() {
    let mut served = Served::start("stop-test-sigint");
    // Everything is running then: the simulator, node-exporter, Prometheus, nginx.
    served.wait_for_line("waiting for two scrapes");
    signal(served.session, libc::SIGINT);
    let status = served.exits_promptly(Instant::now(), "SIGINT");
    assert_eq!(status.code(), Some(130), "{}", served.output());
    assert!(
        served.output().contains("stopped by a signal"),
        "{}",
        served.output()
    );
    served.assert_nothing_left();
}

#[test]
fn sigterm_during_the_backfill_stops_the_backfill_too() {
    let mut served = Served::start("stop-test-sigterm");
    served.wait_for_line("backfilling");
    // Into the simulator's backfill (or promtool's import after it), both run to completion
    // by xtask.
    std::thread::sleep(Duration::from_millis(500));
    signal(served.session, libc::SIGTERM);
    let status = served.exits_promptly(Instant::now(), "SIGTERM");
    assert_eq!(status.code(), Some(130), "{}", served.output());
    assert!(
        served.output().contains("stopped by a signal"),
        "{}",
        served.output()
    );
    served.assert_nothing_left();
}

/// The line the command prints once the stack is up.
const RUNNING: &str = "Ctrl-C stops everything.";

#[test]
fn a_child_that_dies_while_the_stack_runs_is_named_and_nothing_is_left() {
    let mut served = Served::start("stop-test-dies-running");
    served.wait_for_line(RUNNING);
    signal(served.pid_of("nginx", 1), libc::SIGKILL);
    let status = served.exits_promptly(Instant::now(), "nginx was killed");
    assert_eq!(status.code(), Some(1), "{}", served.output());
    let output = served.output();
    assert!(
        output.contains("nginx exited (signal: 9 (SIGKILL)) while the stack was running"),
        "{output}"
    );
    served.assert_nothing_left();
}

#[test]
fn ctrl_c_while_the_stack_runs_stops_everything() {
    let mut served = Served::start("stop-test-sigint-running");
    served.wait_for_line(RUNNING);
    signal(served.session, libc::SIGINT);
    let status = served.exits_promptly(Instant::now(), "SIGINT while running");
    assert!(status.success(), "{status}: {}", served.output());
    assert!(
        served.output().contains("stopping the demo"),
        "{}",
        served.output()
    );
    served.assert_nothing_left();
}

#[test]
fn the_children_die_with_a_killed_xtask() {
    let mut served = Served::start("stop-test-sigkill");
    served.wait_for_line("waiting for two scrapes");
    signal(served.session, libc::SIGKILL);
    served.child.wait().unwrap();
    // Nobody stops them in order now: each gets SIGTERM from the kernel (PR_SET_PDEATHSIG).
    served.assert_nothing_left_within(PROMPT);
}
