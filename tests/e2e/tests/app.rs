//! The desktop app in its real window, driven through WebDriver: an administrator creates
//! the accounts, a reviewer scans and decides, a supervisor approves, the ledger verifies. Also measures the time from adding a
//! 20-page PDF to its highlights in the DOM, and the UI's round-trip latency while a
//! 500-page PDF is being scanned; checks settings.toml (bad file shown, limits saved) and
//! that removing a document kills its worker; shows batch progress; and restarts the app to
//! see the intake folder's earlier results again.
//!
//! Needs a display (`xvfb-run -a`), `tauri-driver`, Debian's `WebKitWebDriver` and a built
//! `clearance-app`; without them the test prints why and passes without running.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clearance_e2e::{
    app_binary, missing_prerequisite, skip_because, temp_dir, write_banner_pdf, write_text_pdf,
    Driver,
};
use clearance_ledger::{Ledger, Role};
use serde_json::json;
use thirtyfour::error::WebDriverErrorInner;
use thirtyfour::prelude::*;

/// One app window at a time: parallel runs would skew the timing and fight over the display.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const REVIEWER: (&str, &str) = ("rita", "reviewer-pass-1");
const SUPERVISOR: (&str, &str) = ("sam", "supervisor-pass-1");
const ADMIN: (&str, &str) = ("admin", "admin-pass-1");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shots_dir() -> PathBuf {
    let d = repo().join("test-output/e2e");
    let _ = std::fs::create_dir_all(&d);
    d
}

/// A ledger with an administrator only (the flow creates the others in the app).
fn make_admin_ledger(db: &Path) -> Result<(), clearance_ledger::LedgerError> {
    let mut l = Ledger::create(db)?;
    l.init(ADMIN.0, ADMIN.1)?;
    Ok(())
}

/// A ledger with an administrator, a reviewer and a supervisor.
fn make_ledger(db: &Path) -> Result<(), clearance_ledger::LedgerError> {
    make_admin_ledger(db)?;
    let mut l = Ledger::open(db)?;
    let admin = l.authenticate(ADMIN.0, ADMIN.1)?;
    l.add_user(&admin, REVIEWER.0, REVIEWER.1, &[Role::Reviewer])?;
    l.add_user(&admin, SUPERVISOR.0, SUPERVISOR.1, &[Role::Supervisor])?;
    Ok(())
}

/// Who the ledger of a window test starts with.
enum Accounts {
    /// The administrator only: the test creates the others in the app.
    AdminOnly,
    /// Administrator, reviewer and supervisor.
    Team,
}

/// One window test's world: the display to itself, a folder of its own with a ledger and a
/// settings file, and the app's command line. The folder goes when the test ends.
struct Setup {
    _one: tokio::sync::MutexGuard<'static, ()>,
    tmp: PathBuf,
    config: PathBuf,
    args: Vec<String>,
}

impl Setup {
    /// `None`, after saying why, when the app binary or the WebDriver tools are missing.
    async fn new(tag: &str, accounts: Accounts) -> WebDriverResult<Option<Setup>> {
        if let Some(why) = missing_prerequisite(&app_binary()) {
            skip_because(&why);
            return Ok(None);
        }
        let one = ONE_AT_A_TIME.lock().await;
        let tmp = temp_dir(tag)?;
        let db = tmp.join("ledger.db");
        match accounts {
            Accounts::AdminOnly => make_admin_ledger(&db),
            Accounts::Team => make_ledger(&db),
        }
        .map_err(|e| WebDriverError::FatalError(e.to_string()))?;
        let config = tmp.join("settings.toml");
        std::fs::write(&config, "")?;
        let args = vec![
            "--db".to_string(),
            db.display().to_string(),
            "--config".to_string(),
            config.display().to_string(),
        ];
        Ok(Some(Setup {
            _one: one,
            tmp,
            config,
            args,
        }))
    }

    /// A path inside the test's folder.
    fn path(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    fn settings(&self, toml: &str) -> std::io::Result<()> {
        std::fs::write(&self.config, toml)
    }

    /// Adds a document (or any argument) to the app's command line.
    fn arg(&mut self, path: &Path) {
        self.args.push(path.display().to_string());
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

async fn launch(driver: &Driver, args: &[String]) -> WebDriverResult<WebDriver> {
    let mut caps = Capabilities::new();
    caps.set(
        "tauri:options",
        json!({ "application": app_binary().display().to_string(), "args": args }),
    )?;
    // The first session after another app instance closed has been seen to fail to
    // connect once; a second attempt a moment later succeeds.
    match WebDriver::new(&driver.url, caps.clone()).await {
        Ok(d) => Ok(d),
        Err(e) => {
            eprintln!("new session failed ({e}); retrying once");
            tokio::time::sleep(Duration::from_secs(1)).await;
            WebDriver::new(&driver.url, caps).await
        }
    }
}

/// Runs `act` on the element at `css`, finding it again when the UI replaced the node in
/// between (the queue and review panes patch their DOM as scans finish, so a reference taken a
/// moment ago can go stale). Any other error, or a stale node after 20 s, is returned.
async fn on_element<T, F, Fut>(d: &WebDriver, css: &str, act: F) -> WebDriverResult<T>
where
    F: Fn(WebElement) -> Fut,
    Fut: std::future::Future<Output = WebDriverResult<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        wait_for(d, css, Duration::from_secs(20)).await?;
        let result = match d.find(By::Css(css)).await {
            Ok(element) => act(element).await,
            Err(e) => Err(e),
        };
        match result {
            Err(e)
                if Instant::now() < deadline
                    && matches!(
                        e.as_inner(),
                        WebDriverErrorInner::StaleElementReference(_)
                            | WebDriverErrorInner::NoSuchElement(_)
                    ) =>
            {
                eprintln!("{css} was re-rendered under the test; finding it again");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => return other,
        }
    }
}

/// Replaces the value of the field at `css` with `text`.
async fn type_into(d: &WebDriver, css: &str, text: &str) -> WebDriverResult<()> {
    on_element(d, css, |field| async move {
        field.clear().await?;
        field.send_keys(text).await
    })
    .await
}

async fn text_of(d: &WebDriver, css: &str) -> WebDriverResult<String> {
    on_element(d, css, |e| async move { e.text().await }).await
}

async fn press_enter(d: &WebDriver, css: &str) -> WebDriverResult<()> {
    on_element(d, css, |e| async move { e.send_keys(Key::Enter).await }).await
}

async fn shot(d: &WebDriver, name: &str) {
    // The last paint can lag the DOM (tauri.md, gotcha 5).
    tokio::time::sleep(Duration::from_millis(700)).await;
    if let Ok(png) = d.screenshot_as_png().await {
        let _ = std::fs::write(shots_dir().join(format!("{name}.png")), png);
    }
}

async fn count(d: &WebDriver, css: &str) -> WebDriverResult<u64> {
    let v = d
        .execute(
            &format!("return document.querySelectorAll({css:?}).length;"),
            vec![],
        )
        .await?;
    Ok(v.json().as_u64().unwrap_or(0))
}

async fn wait_for(d: &WebDriver, css: &str, timeout: Duration) -> WebDriverResult<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if count(d, css).await? > 0 {
            return Ok(());
        }
        if Instant::now() > deadline {
            let text = d.execute("return document.body.innerText;", vec![]).await?;
            panic!("timed out waiting for {css}; page says:\n{}", text.json());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn click(d: &WebDriver, css: &str) -> WebDriverResult<()> {
    on_element(d, css, |e| async move { e.click().await }).await
}

/// Opens the intake row of the document named `name` once it is scanned; false if the row is
/// not in the queue (fixture absent).
async fn open_row(d: &WebDriver, name: &str) -> WebDriverResult<bool> {
    click(d, "[data-testid=nav-intake]").await?;
    wait_for(d, "[data-testid=queue]", Duration::from_secs(20)).await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let clicked = d
            .execute(
                "const row = [...document.querySelectorAll('[data-testid=queue-row]')]
                   .find(r => r.cells[0].textContent === arguments[0]);
                 if (!row) return 'absent';
                 const b = row.querySelector('[data-testid=open-doc]');
                 if (b.disabled) return 'scanning';
                 b.click();
                 return 'opened';",
                vec![json!(name)],
            )
            .await?;
        match clicked.json().as_str() {
            Some("opened") => return Ok(true),
            Some("absent") => return Ok(false),
            _ if Instant::now() > deadline => panic!("{name} never finished scanning"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Redacts every undecided finding of the open review with the `r` key.
async fn decide_rest(d: &WebDriver) -> WebDriverResult<()> {
    let total = count(d, "[data-testid=finding]").await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while count(d, "[data-testid=finding].decided").await? < total {
        assert!(
            Instant::now() < deadline,
            "deciding every finding took too long"
        );
        let before = count(d, "[data-testid=finding].decided").await?;
        d.action_chain().send_keys("r").perform().await?;
        let wait = Instant::now() + Duration::from_secs(10);
        while count(d, "[data-testid=finding].decided").await? == before && Instant::now() < wait {
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }
    Ok(())
}

/// Clears the status line, so the next notice can be waited for.
async fn clear_notice(d: &WebDriver) -> WebDriverResult<()> {
    d.execute(
        "document.querySelectorAll('[data-testid=status] > *').forEach(e => e.remove());",
        vec![],
    )
    .await?;
    Ok(())
}

async fn sign_in(d: &WebDriver, who: (&str, &str)) -> WebDriverResult<()> {
    wait_for(d, "[data-testid=signin]", Duration::from_secs(20)).await?;
    type_into(d, "[data-testid=user]", who.0).await?;
    type_into(d, "[data-testid=password]", who.1).await?;
    click(d, "[data-testid=signin-submit]").await?;
    wait_for(d, "[data-testid=signed-in]", Duration::from_secs(20)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_submit_approve_verify() -> WebDriverResult<()> {
    let Some(mut setup) = Setup::new("flow", Accounts::AdminOnly).await? else {
        return Ok(());
    };
    let fixtures = repo().join("fixtures");
    let mut sample = fixtures.join("sample-en.pdf");
    if !sample.is_file() {
        sample = setup.path("sample-en.pdf");
        write_banner_pdf(&sample, 2)?;
    }
    setup.settings("[limits]\ntimeout_secs = 120\n")?;
    if fixtures.join("rules.toml").is_file() {
        setup.args.push("--rules".to_string());
        setup.arg(&fixtures.join("rules.toml"));
    }
    setup.arg(&sample);
    // The other formats, when the fixtures are there: DOCX parts, an image with GPS and a
    // photo of a sign read by OCR.
    for extra in ["sample.docx", "photo-gps.jpg", "ocr/sign-zh.png"] {
        if fixtures.join(extra).is_file() {
            setup.arg(&fixtures.join(extra));
        }
    }

    let driver = Driver::start()?;
    let d = launch(&driver, &setup.args).await?;
    let result = flow(&d).await;
    shot(&d, "99-last").await;
    d.quit().await?;
    result
}

/// The administrator adds an account on the accounts screen, submitting with Enter.
async fn add_account(d: &WebDriver, who: (&str, &str), role: &str) -> WebDriverResult<()> {
    for (css, text) in [
        ("[data-testid=account-name]", who.0),
        ("[data-testid=account-password]", who.1),
        ("[data-testid=account-confirm]", who.1),
    ] {
        type_into(d, css, text).await?;
    }
    // The form starts with "reviewer" ticked; set exactly the wanted role.
    d.execute(
        "for (const b of document.querySelectorAll('[data-testid^=account-role-]')) b.checked = b.value === arguments[0];",
        vec![json!(role)],
    )
    .await?;
    clear_notice(d).await?;
    press_enter(d, "[data-testid=account-confirm]").await?;
    wait_for(
        d,
        &format!("[data-testid=account-row][data-name='{}']", who.0),
        Duration::from_secs(30),
    )
    .await?;
    wait_for(d, "[data-testid=notice-info]", Duration::from_secs(5)).await
}

async fn flow(d: &WebDriver) -> WebDriverResult<()> {
    // 0. The administrator creates the reviewer and the supervisor on the accounts screen
    //    (the form refuses a mistyped confirmation before anything reaches the ledger).
    sign_in(d, ADMIN).await?;
    assert_eq!(
        count(d, "[data-testid=nav-intake]").await?,
        0,
        "an administrator alone has no intake"
    );
    click(d, "[data-testid=nav-accounts]").await?;
    wait_for(
        d,
        "[data-testid=account-row][data-name=admin]",
        Duration::from_secs(20),
    )
    .await?;
    type_into(d, "[data-testid=account-name]", REVIEWER.0).await?;
    type_into(d, "[data-testid=account-password]", REVIEWER.1).await?;
    type_into(d, "[data-testid=account-confirm]", "something-else").await?;
    clear_notice(d).await?;
    click(d, "[data-testid=account-add]").await?;
    wait_for(d, "[data-testid=notice-error]", Duration::from_secs(5)).await?;
    assert_eq!(count(d, "[data-testid=account-row]").await?, 1);
    let t0 = Instant::now();
    add_account(d, REVIEWER, "reviewer").await?;
    add_account(d, SUPERVISOR, "supervisor").await?;
    println!(
        "E2E: administrator added two accounts in the app in {} ms",
        t0.elapsed().as_millis()
    );
    let roles = d
        .execute(
            "return [...document.querySelectorAll('[data-testid=account-row]')].map(r => r.dataset.name + ':' + [...r.querySelectorAll('input:checked')].map(b => b.value).join('+'));",
            vec![],
        )
        .await?;
    assert_eq!(
        roles.json(),
        &json!(["admin:admin", "rita:reviewer", "sam:supervisor"]),
        "the accounts as the ledger lists them"
    );
    shot(d, "00-admin-accounts").await;
    click(d, "[data-testid=sign-out]").await?;

    // 1. The new reviewer signs in.
    sign_in(d, REVIEWER).await?;
    shot(d, "01-reviewer-signed-in").await;

    // 2. Adds the command-line documents (the same command the drop handler calls); the
    //    first one opens by itself once scanned.
    click(d, "[data-testid=add-startup]").await?;
    wait_for(d, "[data-testid=highlight]", Duration::from_secs(60)).await?;
    wait_for(d, ".pdf-page[data-rendered]", Duration::from_secs(20)).await?;
    let texts = d
        .execute(
            "return [...document.querySelectorAll('[data-testid=finding] .finding-text')].map(e => e.textContent);",
            vec![],
        )
        .await?;
    let texts: Vec<String> = serde_json::from_value(texts.json().clone()).unwrap_or_default();
    assert!(
        texts.iter().any(|t| t.contains("TOP SECRET")),
        "the planted banner must be a finding; got {texts:?}"
    );
    let boxes = count(d, ".pdf-overlay [data-testid=highlight]").await?;
    assert!(boxes > 0, "findings with positions are drawn over the page");
    shot(d, "02-findings-highlighted").await;

    // 3. Decides every finding with the keyboard: the first as false positive with a reason
    //    typed inline, the rest redacted.
    click(d, "[data-testid=finding]").await?;
    d.action_chain().send_keys("f").perform().await?;
    wait_for(d, "[data-testid=reason]", Duration::from_secs(5)).await?;
    on_element(d, "[data-testid=reason]", |reason| async move {
        reason
            .send_keys("public information, already released")
            .await?;
        reason.send_keys(Key::Enter).await
    })
    .await?;
    decide_rest(d).await?;
    shot(d, "03-all-decided").await;

    // 4. Submits.
    click(d, "[data-testid=submit-review]").await?;
    wait_for(d, "[data-testid=notice-info]", Duration::from_secs(20)).await?;
    shot(d, "04-submitted").await;

    // 4b. The other documents: DOCX parts with inline highlights, the image's metadata and
    //     geofence verdict; and the UI in Chinese.
    let mut docx_submitted = false;
    if open_row(d, "sample.docx").await? {
        wait_for(
            d,
            "[data-testid=doc-text] .hl-inline",
            Duration::from_secs(60),
        )
        .await?;
        shot(d, "04b-docx-parts").await;
        // Submitted too, so the supervisor can return it (the return path below).
        if count(d, "[data-testid=finding]").await? > 0 {
            click(d, "[data-testid=finding]").await?;
            decide_rest(d).await?;
        }
        clear_notice(d).await?;
        click(d, "[data-testid=submit-review]").await?;
        wait_for(d, "[data-testid=notice-info]", Duration::from_secs(20)).await?;
        docx_submitted = true;
    }
    if open_row(d, "photo-gps.jpg").await? {
        wait_for(d, "[data-testid=geofence]", Duration::from_secs(60)).await?;
        wait_for(d, "[data-testid=metadata]", Duration::from_secs(5)).await?;
        shot(d, "04c-image-gps").await;
    }
    if open_row(d, "sign-zh.png").await? {
        // Text read from the picture is highlighted where it stands on the picture.
        wait_for(
            d,
            ".image-overlay [data-testid=highlight]",
            Duration::from_secs(60),
        )
        .await?;
        click(d, ".image-overlay [data-testid=highlight]").await?;
        wait_for(d, ".image-overlay .hl.current", Duration::from_secs(5)).await?;
        wait_for(d, "[data-testid=finding].current", Duration::from_secs(5)).await?;
        shot(d, "04d-image-ocr").await;
    }
    d.execute(
        "const s = document.querySelector('[data-testid=language]'); s.value = 'zh'; s.dispatchEvent(new Event('change'));",
        vec![],
    )
    .await?;
    wait_for(d, "html[lang=zh-CN]", Duration::from_secs(5)).await?;
    shot(d, "04d-chinese").await;
    // The language is saved to settings.toml, the source of truth shared with the CLI.
    let deadline = Instant::now() + Duration::from_secs(10);
    let config = d
        .execute(
            "return document.querySelector('[data-testid=nav-settings]') ? 'ok' : 'none';",
            vec![],
        )
        .await?;
    assert_eq!(config.json(), &json!("ok"));
    loop {
        let info = d
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI_INTERNALS__.invoke('app_info').then(i => done(i.language), e => done(String(e)));",
                vec![],
            )
            .await?;
        if info.json() == &json!("zh") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "language not saved: {:?}",
            info.json()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    d.execute(
        "const s = document.querySelector('[data-testid=language]'); s.value = 'en'; s.dispatchEvent(new Event('change'));",
        vec![],
    )
    .await?;

    // 5. Supervisor signs in and approves with the password again.
    click(d, "[data-testid=sign-out]").await?;
    sign_in(d, SUPERVISOR).await?;
    wait_for(d, "[data-testid=review-card]", Duration::from_secs(20)).await?;
    shot(d, "05-supervisor-queue").await;
    click(d, "[data-testid=open-review]").await?;
    wait_for(d, "[data-testid=decision]", Duration::from_secs(60)).await?;
    shot(d, "06-supervisor-reads-review").await;
    click(d, "[data-testid=nav-supervisor]").await?;
    const PDF_CARD: &str = "[data-testid=review-card][data-name='sample-en.pdf']";
    type_into(
        d,
        &format!("{PDF_CARD} [data-testid=approve-password]"),
        SUPERVISOR.1,
    )
    .await?;
    clear_notice(d).await?;
    click(d, &format!("{PDF_CARD} [data-testid=approve]")).await?;
    wait_for(d, "[data-testid=notice-info]", Duration::from_secs(20)).await?;
    shot(d, "07-approved").await;

    // 5b. The return path: the supervisor returns the DOCX review with a reason and the
    //     reviewer sees it returned, reason included.
    if docx_submitted {
        const DOCX_CARD: &str = "[data-testid=review-card][data-name='sample.docx']";
        const WHY: &str = "please re-check the footnote";
        type_into(d, &format!("{DOCX_CARD} [data-testid=return-reason]"), WHY).await?;
        clear_notice(d).await?;
        click(d, &format!("{DOCX_CARD} [data-testid=return]")).await?;
        wait_for(d, "[data-testid=notice-info]", Duration::from_secs(20)).await?;
        click(d, "[data-testid=sign-out]").await?;
        sign_in(d, REVIEWER).await?;
        assert!(
            open_row(d, "sample.docx").await?,
            "the DOCX is still queued"
        );
        wait_for(d, "[data-testid=returned-reason]", Duration::from_secs(30)).await?;
        let shown = text_of(d, "[data-testid=returned-reason]").await?;
        assert!(shown.contains(WHY), "the reviewer sees why: {shown}");
        shot(d, "07b-returned-to-reviewer").await;
        click(d, "[data-testid=sign-out]").await?;
        sign_in(d, SUPERVISOR).await?;
    }

    // 6. The ledger verifies.
    click(d, "[data-testid=nav-ledger]").await?;
    click(d, "[data-testid=verify]").await?;
    wait_for(d, "[data-testid=verify-result]", Duration::from_secs(20)).await?;
    let ok = d
        .execute(
            "return document.querySelector('[data-testid=verify-result]').dataset.ok;",
            vec![],
        )
        .await?;
    assert_eq!(
        ok.json(),
        &json!("true"),
        "the ledger must verify after the flow"
    );
    assert!(
        count(d, "[data-testid=event]").await? >= 5,
        "every step left an event"
    );
    shot(d, "08-ledger-verified").await;

    // 7. The release certificate of the approved review.
    click(d, "[data-testid=certificate]").await?;
    wait_for(
        d,
        "[data-testid=certificate-frame]",
        Duration::from_secs(20),
    )
    .await?;
    let html = d
        .execute(
            "return document.querySelector('[data-testid=certificate-frame]').srcdoc;",
            vec![],
        )
        .await?;
    let html = html.json().as_str().unwrap_or_default().to_string();
    assert!(
        html.contains("sample-en.pdf"),
        "the certificate names the document"
    );
    shot(d, "09-certificate").await;
    Ok(())
}

/// Time from the click that adds a 20-page PDF (the same command the drop handler calls) to
/// its first highlight in the DOM, measured from the harness.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_page_pdf_to_highlights() -> WebDriverResult<()> {
    let Some(mut setup) = Setup::new("timing", Accounts::Team).await? else {
        return Ok(());
    };
    let pdf = setup.path("twenty-pages.pdf");
    write_banner_pdf(&pdf, 20)?;
    setup.arg(&pdf);
    let driver = Driver::start()?;
    let d = launch(&driver, &setup.args).await?;
    let result = async {
        sign_in(&d, REVIEWER).await?;
        wait_for(&d, "[data-testid=add-startup]", Duration::from_secs(20)).await?;
        let button = d.find(By::Css("[data-testid=add-startup]")).await?;
        let t0 = Instant::now();
        button.click().await?;
        wait_for(&d, ".pdf-overlay [data-testid=highlight]", Duration::from_secs(60)).await?;
        let elapsed = t0.elapsed();
        let pages = count(&d, ".pdf-page").await?;
        let marks = count(&d, ".pdf-overlay [data-testid=highlight]").await?;
        println!(
            "E2E TIMING: add_documents -> highlights in DOM for a 20-page PDF: {} ms ({pages} pages laid out, {marks} highlight boxes)",
            elapsed.as_millis()
        );
        assert_eq!(pages, 20);
        shot(&d, "10-twenty-pages").await;
        Ok(())
    }
    .await;
    d.quit().await?;
    result
}

/// Worker processes of the app binary still running (their command line names the worker
/// argument).
fn running_workers() -> usize {
    let app = app_binary();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|c| {
            let mut parts = c.split(|b| *b == 0);
            let exe = parts.next().unwrap_or_default();
            Path::new(std::str::from_utf8(exe).unwrap_or_default()) == app
                && parts.any(|p| p == b"__clearance-worker")
        })
        .count()
}

/// Median and maximum of a list of milliseconds.
fn median_max(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let median = v.get(v.len() / 2).copied().unwrap_or(0.0);
    (median, v.last().copied().unwrap_or(0.0))
}

/// A bad settings.toml is shown and the app starts with defaults; saving the settings screen
/// writes the file. With one scan thread (from the file), a 500-page PDF scans while the
/// UI's round-trip latency is measured; then a queued copy is removed with its button and
/// the scanning one with the Delete key, which kills its worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_latency_and_remove() -> WebDriverResult<()> {
    let Some(mut setup) = Setup::new("settings", Accounts::Team).await? else {
        return Ok(());
    };
    let big = setup.path("five-hundred.pdf");
    write_text_pdf(&big, 500, 60)?;
    let copy = setup.path("five-hundred-copy.pdf");
    std::fs::copy(&big, &copy)?;
    setup.settings("[limits]\nparallelism = 0\n")?;
    let config = setup.config.clone();
    setup.arg(&big);
    setup.arg(&copy);
    let driver = Driver::start()?;
    let d = launch(&driver, &setup.args).await?;
    let result = async {
        // 1. The bad file is named in the UI; the app runs with the defaults.
        sign_in(&d, REVIEWER).await?;
        click(&d, "[data-testid=nav-settings]").await?;
        wait_for(&d, "[data-testid=settings-error]", Duration::from_secs(10)).await?;
        let msg = text_of(&d, "[data-testid=settings-error]").await?;
        assert!(msg.contains("limits.parallelism"), "the error names the field: {msg}");
        shot(&d, "11-settings-error").await;

        // 2. Saving the screen writes the file atomically (limits in force from now on).
        for (css, value) in [("[data-testid=settings-timeout]", "45"), ("[data-testid=settings-parallelism]", "1")] {
            type_into(&d, css, value).await?;
        }
        click(&d, "[data-testid=settings-save]").await?;
        wait_for(&d, "[data-testid=notice-info]", Duration::from_secs(10)).await?;
        let text = std::fs::read_to_string(&config)?;
        assert!(text.contains("timeout_secs = 45") && text.contains("parallelism = 1"), "{text}");
        assert_eq!(count(&d, "[data-testid=settings-error]").await?, 0);
        shot(&d, "12-settings-saved").await;

        // 3. Scan the 500-page PDF and its copy; measure latency while the first scans.
        click(&d, "[data-testid=nav-intake]").await?;
        click(&d, "[data-testid=add-startup]").await?;
        wait_for(&d, "[data-testid=queue-row]", Duration::from_secs(20)).await?;
        // The batch's progress strip: 0 of 2, the file being scanned, no estimate yet.
        wait_for(&d, "[data-testid=batch-progress] [role=progressbar]", Duration::from_secs(10)).await?;
        wait_for(&d, "[data-testid=progress-current]", Duration::from_secs(20)).await?;
        let strip = d
            .execute(
                "const b = document.querySelector('[data-testid=progress-bar]');
                 return [b.getAttribute('aria-valuenow'), b.getAttribute('aria-valuemax'),
                         document.querySelector('[data-testid=batch-progress]').innerText];",
                vec![],
            )
            .await?;
        println!("E2E: batch progress while the 500-page PDF scans: {}", strip.json());
        assert_eq!(strip.json()[0], json!("0"));
        assert_eq!(strip.json()[1], json!("2"));
        assert!(
            strip.json()[2].as_str().unwrap_or_default().contains("five-hundred"),
            "the strip names the file being scanned: {}",
            strip.json()
        );
        shot(&d, "12b-batch-progress").await;
        let lat = d
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 (async () => {
                   const inv = [], nav = [];
                   let scanning = true;
                   for (let i = 0; i < 20; i++) {
                     const t = performance.now();
                     await window.__TAURI_INTERNALS__.invoke('app_info');
                     inv.push(performance.now() - t);
                     await new Promise(r => setTimeout(r, 50));
                   }
                   for (let i = 0; i < 10; i++) {
                     const t = performance.now();
                     document.querySelector(i % 2 ? '[data-testid=nav-intake]' : '[data-testid=nav-ledger]').click();
                     await new Promise(r => requestAnimationFrame(() => r()));
                     nav.push(performance.now() - t);
                   }
                   document.querySelector('[data-testid=nav-intake]').click();
                   scanning = !!document.querySelector('[data-testid=queue-row][data-state=scanning]');
                   done({ inv, nav, scanning });
                 })().catch(e => done({ error: String(e) }));",
                vec![],
            )
            .await?;
        let lat = lat.json().clone();
        let nums = |k: &str| -> Vec<f64> {
            lat.get(k)
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
                .unwrap_or_default()
        };
        let (inv, nav) = (nums("inv"), nums("nav"));
        assert_eq!(inv.len(), 20, "latency probe failed: {lat}");
        let (im, ix) = median_max(inv);
        let (nm, nx) = median_max(nav);
        println!(
            "E2E LATENCY during a 500-page PDF scan (still scanning at the end: {}): app_info invoke median {im:.1} ms, max {ix:.1} ms (20 calls); view switch to next frame median {nm:.1} ms, max {nx:.1} ms (10 switches)",
            lat.get("scanning").and_then(|v| v.as_bool()).unwrap_or(false)
        );

        // 4. Remove the queued copy with its button, the scanning one with the Delete key.
        let removed = d
            .execute(
                "const row = [...document.querySelectorAll('[data-testid=queue-row]')]
                   .find(r => r.cells[0].textContent === 'five-hundred-copy.pdf');
                 if (!row) return 'absent';
                 const state = row.dataset.state;
                 row.querySelector('[data-testid=remove-doc]').click();
                 return state;",
                vec![],
            )
            .await?;
        println!("E2E: removed five-hundred-copy.pdf while {}", removed.json());
        let deadline = Instant::now() + Duration::from_secs(10);
        while count(&d, "[data-testid=queue-row]").await? != 1 {
            assert!(Instant::now() < deadline, "the copy was not removed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let state = d
            .execute(
                "return document.querySelector('[data-testid=queue-row]').dataset.state;",
                vec![],
            )
            .await?
            .json()
            .clone();
        // A script click: the intake re-renders every second while something scans.
        d.execute(
            "document.querySelector('[data-testid=queue-row] td').click();",
            vec![],
        )
        .await?;
        let workers_before = running_workers();
        let t0 = Instant::now();
        d.action_chain().send_keys(Key::Delete).perform().await?;
        while count(&d, "[data-testid=queue-row]").await? != 0 {
            assert!(Instant::now() < deadline + Duration::from_secs(10), "Delete did not remove the row");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let removed_ms = t0.elapsed().as_millis();
        let gone = Instant::now() + Duration::from_secs(5);
        while running_workers() > 0 && Instant::now() < gone {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        println!(
            "E2E: Delete on the {state} row removed it in {removed_ms} ms; workers running before {workers_before}, after {}",
            running_workers()
        );
        assert_eq!(running_workers(), 0, "the removed document's worker is killed");
        shot(&d, "13-removed").await;
        Ok(())
    }
    .await;
    d.quit().await?;
    result
}

/// A PDF written into the intake folder of settings.toml is scanned in the background (by
/// the engine's intake on the ledger database) and appears in the app's queue, scanned, and
/// opens for review with its highlights.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intake_folder_feeds_the_queue() -> WebDriverResult<()> {
    let Some(setup) = Setup::new("intake", Accounts::Team).await? else {
        return Ok(());
    };
    let drop_dir = setup.path("drop");
    std::fs::create_dir_all(&drop_dir)?;
    setup.settings(&format!(
        "[intake]\nfolder = \"{}\"\nsettle_ms = 200\n",
        drop_dir.display()
    ))?;
    let args = setup.args.clone();
    let driver = Driver::start()?;
    let d = launch(&driver, &args).await?;
    let result = async {
        sign_in(&d, REVIEWER).await?;
        // Written elsewhere, then moved in whole, as a scanner or mail gateway would.
        let staged = setup.path("dropped.pdf");
        write_banner_pdf(&staged, 3)?;
        let t0 = Instant::now();
        std::fs::rename(&staged, drop_dir.join("dropped.pdf"))?;
        click(&d, "[data-testid=nav-intake]").await?;
        wait_for(
            &d,
            "[data-testid=queue-row][data-state=scanned]",
            Duration::from_secs(60),
        )
        .await?;
        println!(
            "E2E: intake folder -> scanned row in the queue: {} ms",
            t0.elapsed().as_millis()
        );
        assert!(
            open_row(&d, "dropped.pdf").await?,
            "the intake row is listed"
        );
        wait_for(
            &d,
            ".pdf-overlay [data-testid=highlight]",
            Duration::from_secs(30),
        )
        .await?;
        shot(&d, "14-intake-folder").await;
        Ok::<(), WebDriverError>(())
    }
    .await;
    d.quit().await?;
    result?;
    // Restart: the row scanned before is shown again, with its report, without a new scan.
    let d = launch(&driver, &args).await?;
    let result = async {
        sign_in(&d, REVIEWER).await?;
        let t0 = Instant::now();
        click(&d, "[data-testid=nav-intake]").await?;
        wait_for(
            &d,
            "[data-testid=queue-row][data-state=scanned]",
            Duration::from_secs(20),
        )
        .await?;
        println!(
            "E2E: after a restart the intake folder's earlier result is in the queue {} ms after sign-in",
            t0.elapsed().as_millis()
        );
        assert_eq!(count(&d, "[data-testid=queue-row]").await?, 1, "shown once");
        assert_eq!(count(&d, "[data-testid=batch-progress]").await?, 0, "no batch: nothing was scanned again");
        assert!(open_row(&d, "dropped.pdf").await?, "the restored row opens");
        wait_for(
            &d,
            ".pdf-overlay [data-testid=highlight]",
            Duration::from_secs(30),
        )
        .await?;
        shot(&d, "15-intake-after-restart").await;
        Ok::<(), WebDriverError>(())
    }
    .await;
    d.quit().await?;
    result
}

/// A folder of 1,000 small documents (issue #6): the progress strip counts them, names the
/// file being scanned and, once the first is done, estimates the time left; the UI stays
/// responsive; every document ends scanned and the strip goes away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_document_folder_shows_progress() -> WebDriverResult<()> {
    // CLEARANCE_E2E_DOCS runs a smaller (or larger) folder when debugging.
    let docs: usize = std::env::var("CLEARANCE_E2E_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let Some(mut setup) = Setup::new("batch", Accounts::Team).await? else {
        return Ok(());
    };
    let folder = setup.path("batch");
    std::fs::create_dir_all(&folder)?;
    for i in 0..docs {
        let marking = if i % 10 == 0 { "TOP SECRET\n" } else { "" };
        std::fs::write(
            folder.join(format!("note-{i:04}.txt")),
            format!("{marking}Minutes of meeting {i}: budgets, rooms and the rota.\n"),
        )?;
    }
    setup.arg(&folder);
    let driver = Driver::start()?;
    let d = launch(&driver, &setup.args).await?;
    let result = async {
        sign_in(&d, REVIEWER).await?;
        click(&d, "[data-testid=add-startup]").await?;
        let t0 = Instant::now();
        let mut first_strip = None;
        let mut first_estimate: Option<(u128, String)> = None;
        let mut invoke_ms = Vec::new();
        let deadline = t0 + Duration::from_secs(600);
        loop {
            // The first document opens by itself once scanned; the strip is on the intake.
            let probe = d
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     (async () => {
                       if (!document.querySelector('[data-testid=intake]')) document.querySelector('[data-testid=nav-intake]').click();
                       const t = performance.now();
                       await window.__TAURI_INTERNALS__.invoke('app_info');
                       const ms = performance.now() - t;
                       const bar = document.querySelector('[data-testid=progress-bar]');
                       const eta = document.querySelector('[data-testid=progress-eta]');
                       const finished = document.querySelectorAll('[data-testid=queue-row][data-state=scanned], [data-testid=queue-row][data-state=failed]').length;
                       done({ ms, strip: !!bar, now: bar ? Number(bar.getAttribute('aria-valuenow')) : null,
                              max: bar ? Number(bar.getAttribute('aria-valuemax')) : null,
                              eta: eta ? eta.textContent : null, finished });
                     })().catch(e => done({ error: String(e) }));",
                    vec![],
                )
                .await?;
            let p = probe.json().clone();
            assert!(p.get("error").is_none(), "probe failed: {p}");
            if std::env::var_os("CLEARANCE_E2E_VERBOSE").is_some() {
                println!("{} ms: {p}", t0.elapsed().as_millis());
            }
            invoke_ms.push(p["ms"].as_f64().unwrap_or(0.0));
            let elapsed = t0.elapsed().as_millis();
            if p["strip"].as_bool() == Some(true) {
                first_strip.get_or_insert(elapsed);
                assert_eq!(p["max"].as_u64(), Some(docs as u64), "the batch is the whole folder: {p}");
                let eta = p["eta"].as_str().unwrap_or_default();
                if first_estimate.is_none() && eta.contains("left") && !eta.contains("estimating") {
                    first_estimate = Some((elapsed, format!("{eta} at {}/{docs}", p["now"])));
                }
            }
            if p["finished"].as_u64() == Some(docs as u64) && p["strip"].as_bool() == Some(false) {
                break;
            }
            assert!(Instant::now() < deadline, "the folder did not finish: {p}");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let total = t0.elapsed();
        let (im, ix) = median_max(invoke_ms.clone());
        let (strip_ms, (eta_ms, eta)) = (
            first_strip.expect("the progress strip was shown"),
            first_estimate.expect("a time-left estimate was shown"),
        );
        println!(
            "E2E TIMING: {docs}-document folder: all scanned in {} ms ({:.1} docs/s); progress strip after {strip_ms} ms; first estimate after {eta_ms} ms: {eta}; app_info invoke during the batch median {im:.1} ms, max {ix:.1} ms ({} calls)",
            total.as_millis(),
            docs as f64 / total.as_secs_f64(),
            invoke_ms.len()
        );
        shot(&d, "16-thousand-done").await;
        Ok::<(), WebDriverError>(())
    }
    .await;
    d.quit().await?;
    result
}
