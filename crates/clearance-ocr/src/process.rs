//! Running a helper program with a time limit: it is killed, not waited for, when it runs
//! over, and its output is read with a cap so a misbehaving helper cannot exhaust memory.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::OcrError;

/// Makes the process `cmd` starts get SIGKILL when the thread that started it ends, which in
/// practice means when this process dies. A worker killed at its deadline, or because the
/// reviewer removed its document, then takes tesseract or pdftoppm down with it instead of
/// leaving them running on a hostile file; and workers die with the app or CLI that started
/// them. The starting thread must wait for the process (every caller here does). Linux only.
pub fn die_with_parent(cmd: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let parent = std::process::id();
        // SAFETY: the closure runs in the forked child before exec and calls only prctl and
        // getppid, which are async-signal-safe and touch no state shared with the parent.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent may have died between fork and prctl: then nothing would come.
                if libc::getppid() as u32 != parent {
                    return Err(std::io::Error::other("parent exited during start"));
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cmd;
}

/// Most bytes of standard output kept from a helper (a TSV of a dense page is ~200 KB).
const MAX_OUTPUT: u64 = 32 * 1024 * 1024;

/// Runs `cmd`, feeding `input` on standard input, and returns its standard output.
///
/// # Errors
/// [`OcrError::Unavailable`] when the program cannot be started, [`OcrError::Timeout`] when it
/// runs past `limit` (it is killed), [`OcrError::Failed`] on a non-zero exit.
pub(crate) fn run(
    program: &'static str,
    cmd: &mut Command,
    input: Vec<u8>,
    limit: Duration,
) -> Result<Vec<u8>, OcrError> {
    die_with_parent(cmd);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| OcrError::Unavailable(format!("{program} cannot be started: {e}")))?;
    let stdin = child.stdin.take();
    let writer = thread::spawn(move || {
        if let Some(mut s) = stdin {
            // A helper that exits early closes the pipe; its exit status tells why.
            let _ = s.write_all(&input);
        }
    });
    let stdout = child.stdout.take();
    let reader = thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout {
            let _ = s.take(MAX_OUTPUT).read_to_end(&mut out);
        }
        out
    });
    let stderr = child.stderr.take();
    let err_reader = thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stderr {
            let _ = s.take(64 * 1024).read_to_end(&mut out);
        }
        out
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = writer.join();
                return Err(OcrError::Timeout {
                    program,
                    seconds: limit.as_secs_f64(),
                });
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                let _ = child.kill();
                return Err(OcrError::Failed {
                    program,
                    detail: e.to_string(),
                });
            }
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if !status.success() {
        let first = String::from_utf8_lossy(&err)
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string();
        return Err(OcrError::Failed {
            program,
            detail: format!("{status}: {first}"),
        });
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_helper_dies_with_the_thread_that_started_it() {
        use std::os::unix::process::ExitStatusExt;
        // The starting thread ends at once, as a killed worker would: the kernel kills the
        // helper instead of letting it sleep its 60 s.
        let mut child = thread::spawn(|| {
            let mut cmd = Command::new("sleep");
            cmd.arg("60");
            die_with_parent(&mut cmd);
            cmd.spawn().unwrap()
        })
        .join()
        .unwrap();
        let started = Instant::now();
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn output_and_failures_are_reported() {
        let out = run(
            "cat",
            &mut Command::new("cat"),
            b"abc".to_vec(),
            Duration::from_secs(5),
        );
        assert_eq!(out.unwrap(), b"abc");
        let missing = run(
            "tesseract",
            &mut Command::new("/nonexistent/tesseract"),
            Vec::new(),
            Duration::from_secs(5),
        );
        assert!(matches!(missing, Err(OcrError::Unavailable(_))));
        let failed = run(
            "sh",
            Command::new("sh").args(["-c", "echo boom >&2; exit 3"]),
            Vec::new(),
            Duration::from_secs(5),
        );
        assert!(matches!(failed, Err(OcrError::Failed { detail, .. }) if detail.contains("boom")));
    }

    #[test]
    fn a_hung_helper_is_killed_at_the_limit() {
        let start = Instant::now();
        let r = run(
            "sleep",
            Command::new("sleep").arg("30"),
            Vec::new(),
            Duration::from_millis(200),
        );
        assert!(matches!(r, Err(OcrError::Timeout { .. })));
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}
