//! Helpers for the end-to-end tests: finding the app binary and the tools, starting and
//! stopping `tauri-driver`, writing test documents.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Why the end-to-end test cannot run here, if it cannot.
pub fn missing_prerequisite(app: &Path) -> Option<String> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Some("no display: run under `xvfb-run -a`".into());
    }
    if which("tauri-driver").is_none() {
        return Some("tauri-driver not found: `cargo install tauri-driver --locked`".into());
    }
    if which("WebKitWebDriver").is_none() {
        return Some("WebKitWebDriver not found: `apt-get install webkit2gtk-driver`".into());
    }
    if !app.is_file() {
        return Some(format!(
            "{} not built: `cargo build -p clearance-app` first",
            app.display()
        ));
    }
    None
}

/// Reports a missing prerequisite: a skip with a message, or a failure where the test must
/// run (`CLEARANCE_E2E_REQUIRED=1`, as `scripts/test.sh` and CI set it).
pub fn skip_because(why: &str) {
    if std::env::var_os("CLEARANCE_E2E_REQUIRED").is_some_and(|v| v == "1") {
        panic!("the end-to-end test is required here but cannot run: {why}");
    }
    eprintln!("SKIPPED end-to-end test: {why}");
}

/// A program on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The app binary next to this test's target directory (`target/debug/clearance-app`), or
/// `CLEARANCE_APP` when set.
pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("CLEARANCE_APP") {
        return PathBuf::from(p);
    }
    // The test runs as target/<profile>/deps/<test>-<hash>.
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().and_then(Path::parent).map(Path::to_path_buf))
        .map(|dir| dir.join("clearance-app"))
        .unwrap_or_else(|| PathBuf::from("clearance-app"))
}

/// A TCP port nobody listens on right now.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running `tauri-driver`; stopped with SIGTERM on drop, so it also stops its
/// WebKitWebDriver child (SIGKILL would orphan it and keep cargo's pipes open).
pub struct Driver {
    child: Child,
    /// The WebDriver URL.
    pub url: String,
}

impl Driver {
    /// Starts tauri-driver on free ports and waits until it accepts connections.
    ///
    /// # Errors
    /// The driver cannot be started or does not listen within 10 s.
    pub fn start() -> std::io::Result<Driver> {
        let port = free_port()?;
        let native = free_port()?;
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err(std::io::Error::other(
                    "tauri-driver did not start listening",
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a PDF of `pages` Letter pages, each with a "TOP SECRET" banner at the top and a
/// line of ordinary text, using nothing but std (Helvetica, uncompressed streams).
pub fn write_banner_pdf(path: &Path, pages: usize) -> std::io::Result<()> {
    write_text_pdf(path, pages, 0)
}

/// [`write_banner_pdf`] with `filler` more lines of ordinary small text on every page (at
/// most 70), so that a long document takes the scanner real time.
pub fn write_text_pdf(path: &Path, pages: usize, filler: usize) -> std::io::Result<()> {
    let mut objects: Vec<String> = Vec::new();
    // 1: catalog, 2: pages, 3: font, then per page: page object + content stream.
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {pages} >>",
        kids.join(" ")
    ));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
    for i in 0..pages {
        let content = format!(
            "BT /F1 16 Tf 230 740 Td (TOP SECRET) Tj ET\n\
             BT /F1 11 Tf 72 680 Td (Page {} of the quarterly logistics summary.) Tj ET\n\
             BT /F1 11 Tf 72 660 Td (Supply runs continue weekly along the old rail spur.) Tj ET\n",
            i + 1
        );
        let mut content = content;
        for line in 0..filler.min(70) {
            content.push_str(&format!(
                "BT /F1 8 Tf 72 {} Td (Line {line}: routine notes on schedules, budgets, rooms and the regional office rota.) Tj ET\n",
                640 - 9 * line
            ));
        }
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (n, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{body}\nendobj\n", n + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    std::fs::write(path, out)
}

/// A fresh, empty folder under the system temp dir for one test run.
pub fn temp_dir(tag: &str) -> std::io::Result<PathBuf> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "clearance-e2e-{tag}-{}-{stamp}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banner_pdf_has_a_valid_xref() {
        let dir = temp_dir("unit").unwrap();
        let p = dir.join("x.pdf");
        write_banner_pdf(&p, 3).unwrap();
        let bytes = std::fs::read_to_string(&p).unwrap();
        let startxref: usize = bytes
            .rsplit("startxref\n")
            .next()
            .and_then(|s| s.lines().next())
            .and_then(|s| s.parse().ok())
            .unwrap();
        assert!(
            bytes[startxref..].starts_with("xref"),
            "startxref must point at the xref table"
        );
        // Every xref entry points at the start of its object.
        for (n, line) in bytes[startxref..].lines().skip(3).take(9).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(
                bytes[off..].starts_with(&format!("{} 0 obj", n + 1)),
                "object {}",
                n + 1
            );
        }
        assert_eq!(bytes.matches("(TOP SECRET)").count(), 3);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
