//! The sign-off commands of the `clearance` binary: `init`, `user`, `review`, `ledger` and
//! `certificate`, as a clap `Subcommand` plus [`run`]. The binary owns `--db` and the scan
//! engine; it hands both in through [`CliContext`], so this layer is testable with strings
//! for standard input and a closure for the scanner.
//!
//! Passwords never come from arguments: from the terminal, or with `--password-stdin` one per
//! line of standard input (first the acting person's, then a new account's).
//!
//! Machine-readable output (ids are strings, times RFC 3339 UTC):
//! - `review open --json`: `{"review","sha256","findings":[{"id", ...scan finding fields}]}`
//! - `review show --json`: `{"review","state","document":{"name","path","sha256"},
//!   "engine_version","watchlist_sha256","reviewer","opened_at","findings":[{"id", ...,
//!   "disposition":{"decision","reason","decided_by","decided_at"}|null}],"undecided":[ids],
//!   "submission":{"recommendation","record","submitted_by","submitted_at"}|null,
//!   "returns":[{"returned_by","reason","returned_at"}],"approval":{"approver","approved_at",
//!   "signature","public_key","statement","checkpoint","event"}|null}`
//! - `review list --json`: `[{"review","state","document","sha256","reviewer","opened_at",
//!   "findings","undecided"}]`
//! - `user list --json`: `[{"name","roles","active","created_at","public_key","locked_until"}]`
//! - `ledger export --out FILE` prints the checkpoint `{"event_count","head_hash"}` on stdout;
//!   without `--out` the export goes to stdout and `checkpoint: {...}` to stderr.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use clearance_model::DocumentReport;
use serde_json::{json, Value};

use crate::{
    export::parse_checkpoint, format_time, sha256_file, Account, Decision, DeclassificationRecord,
    ExportFormat, Ledger, LedgerError, LedgerOptions, NewReview, OpenMode, Recommendation,
    ReviewDetail, ReviewState, Role, Session,
};

/// The scan the binary runs for `review open FILE [--rules FILE]`.
pub type Scanner<'a> = dyn Fn(&Path, Option<&Path>) -> Result<DocumentReport, String> + 'a;

/// The sign-off subcommands; flatten into the binary's command enum.
#[derive(Debug, Subcommand)]
pub enum SignoffCommand {
    /// First run: create the ledger and its administrator.
    Init(InitArgs),
    /// Manage accounts.
    User {
        /// What to do.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Open, decide, submit, approve, return and inspect reviews.
    Review {
        /// What to do.
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// Verify or export the tamper-evident ledger.
    Ledger {
        /// What to do.
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Write the printable release certificate of an approved review.
    Certificate(CertificateArgs),
}

/// `clearance init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Name of the administrator account to create.
    #[arg(long)]
    pub admin: String,
    /// Read the administrator's new password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

/// The acting person: `--as NAME [--password-stdin]`.
#[derive(Debug, Args)]
pub struct ActAs {
    /// Account acting.
    #[arg(long = "as", id = "as", value_name = "NAME")]
    pub who: String,
    /// Read passwords from standard input, one per line, instead of the terminal.
    #[arg(long)]
    pub password_stdin: bool,
}

/// `clearance user ...`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account (admin only). Its password is prompted, or read from the 2nd stdin line.
    Add {
        /// New account's name.
        name: String,
        /// Roles: repeat or separate with commas (`--role reviewer,supervisor`).
        #[arg(long = "role", value_enum, value_delimiter = ',', required = true)]
        roles: Vec<Role>,
        /// Acting admin.
        #[command(flatten)]
        actor: ActAs,
    },
    /// List accounts.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Replace an account's roles (admin only); the last administrator keeps `admin`.
    Roles {
        /// Account to change.
        name: String,
        /// Its roles from now on: repeat or separate with commas.
        #[arg(long = "role", value_enum, value_delimiter = ',', required = true)]
        roles: Vec<Role>,
        /// Acting admin.
        #[command(flatten)]
        actor: ActAs,
    },
    /// Deactivate an account (admin only); it is kept, never deleted.
    Deactivate {
        /// Account to deactivate.
        name: String,
        /// Acting admin.
        #[command(flatten)]
        actor: ActAs,
    },
}

/// `clearance review ...`.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Scan a file and open a review of it.
    Open {
        /// The document.
        file: PathBuf,
        /// Watchlist / rules file for the scan.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Print `{"review","sha256","findings":[{"id",...}]}`.
        #[arg(long)]
        json: bool,
        /// Acting reviewer.
        #[command(flatten)]
        actor: ActAs,
    },
    /// Record a disposition for one finding.
    Decide {
        /// Review id.
        review: String,
        /// Finding id.
        finding: String,
        /// The disposition.
        #[arg(value_enum)]
        decision: Decision,
        /// Justification (required for release) or reason (required for false-positive).
        #[arg(long)]
        reason: Option<String>,
        /// Acting reviewer.
        #[command(flatten)]
        actor: ActAs,
    },
    /// Submit the review with a recommendation; every finding must be decided.
    Submit {
        /// Review id.
        review: String,
        /// The recommendation.
        #[arg(long, value_enum)]
        recommend: Recommendation,
        /// Declassification record (JSON: original_marking, original_level, authority,
        /// decision full|partial|release|withhold, date YYYY-MM-DD, notes).
        #[arg(long)]
        record_file: Option<PathBuf>,
        /// Acting reviewer.
        #[command(flatten)]
        actor: ActAs,
    },
    /// Approve a submitted review (a supervisor other than the reviewer).
    Approve {
        /// Review id.
        review: String,
        /// Acting supervisor.
        #[command(flatten)]
        actor: ActAs,
    },
    /// Send a submitted review back to its reviewer.
    Return {
        /// Review id.
        review: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Acting supervisor.
        #[command(flatten)]
        actor: ActAs,
    },
    /// Show one review.
    Show {
        /// Review id.
        review: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List reviews.
    List {
        /// Only reviews in this state.
        #[arg(long, value_enum)]
        state: Option<ReviewState>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `clearance ledger ...`.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Recompute the hash chain and signatures; name the first bad event.
    Verify {
        /// A checkpoint (or JSON export) taken earlier: detects truncation and rewrites.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Export every event; prints the checkpoint (to stdout with --out, else to stderr).
    Export {
        /// Output format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// `clearance certificate`.
#[derive(Debug, Args)]
pub struct CertificateArgs {
    /// Review id.
    pub review: String,
    /// Where to write the HTML.
    #[arg(long)]
    pub out: PathBuf,
}

/// What [`run`] needs from the binary.
pub struct CliContext<'a> {
    /// The ledger file (`--db`, or [`crate::default_db_path`]).
    pub db_path: PathBuf,
    /// Clock and password-hashing cost.
    pub options: LedgerOptions,
    /// Standard input (passwords with `--password-stdin`).
    pub stdin: Box<dyn BufRead + 'a>,
    /// Standard output.
    pub stdout: Box<dyn Write + 'a>,
    /// Standard error (notes that must not mix into piped output).
    pub stderr: Box<dyn Write + 'a>,
    /// Whether passwords may be prompted on the terminal when `--password-stdin` is absent.
    pub terminal: bool,
    /// Runs the engine's scan on a file with an optional rules file.
    pub scanner: &'a Scanner<'a>,
}

impl<'a> CliContext<'a> {
    /// The process's real standard streams, the system clock and production hashing.
    pub fn new(db_path: PathBuf, scanner: &'a Scanner<'a>) -> Self {
        CliContext {
            db_path,
            options: LedgerOptions::default(),
            stdin: Box::new(std::io::stdin().lock()),
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
            terminal: true,
            scanner,
        }
    }

    fn password(&mut self, from_stdin: bool, prompt: &str) -> Result<String, LedgerError> {
        if from_stdin {
            let mut line = String::new();
            let n = self
                .stdin
                .read_line(&mut line)
                .map_err(|e| LedgerError::InvalidInput(format!("reading standard input: {e}")))?;
            if n == 0 {
                return Err(LedgerError::InvalidInput(format!(
                    "{prompt}: standard input ended before the password line"
                )));
            }
            let trimmed = line.strip_suffix('\n').unwrap_or(&line);
            return Ok(trimmed.strip_suffix('\r').unwrap_or(trimmed).to_string());
        }
        if !self.terminal {
            return Err(LedgerError::InvalidInput(format!(
                "{prompt}: no terminal to prompt on; use --password-stdin"
            )));
        }
        rpassword::prompt_password(format!("{prompt}: "))
            .map_err(|e| LedgerError::InvalidInput(format!("reading password: {e}")))
    }

    /// A new password: the next stdin line, or prompted twice on the terminal.
    fn new_password(&mut self, from_stdin: bool, who: &str) -> Result<String, LedgerError> {
        let first = self.password(from_stdin, &format!("New password for {who}"))?;
        if !from_stdin {
            let again = self.password(false, &format!("Repeat the password for {who}"))?;
            if again != first {
                return Err(LedgerError::InvalidInput("the two passwords differ".into()));
            }
        }
        Ok(first)
    }

    fn out(&mut self, text: &str) -> Result<(), LedgerError> {
        writeln!(self.stdout, "{text}").map_err(|e| LedgerError::Io {
            path: "standard output".into(),
            message: e.to_string(),
        })
    }

    fn err_note(&mut self, text: &str) -> Result<(), LedgerError> {
        writeln!(self.stderr, "{text}").map_err(|e| LedgerError::Io {
            path: "standard error".into(),
            message: e.to_string(),
        })
    }

    fn json(&mut self, v: &Value) -> Result<(), LedgerError> {
        let text = serde_json::to_string_pretty(v)
            .map_err(|e| LedgerError::InvalidInput(e.to_string()))?;
        self.out(&text)
    }

    fn open(&self) -> Result<Ledger, LedgerError> {
        Ledger::open_with(&self.db_path, OpenMode::MustExist, self.options.clone())
    }

    fn login(
        &mut self,
        ledger: &mut Ledger,
        actor: &ActAs,
    ) -> Result<(Session, String), LedgerError> {
        let password =
            self.password(actor.password_stdin, &format!("Password for {}", actor.who))?;
        let s = ledger.authenticate(&actor.who, &password)?;
        Ok((s, password))
    }
}

fn parse_id(s: &str) -> Option<i64> {
    s.trim()
        .trim_start_matches(['R', 'r', 'F', 'f', '#'])
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

fn review_id(s: &str) -> Result<i64, LedgerError> {
    parse_id(s).ok_or_else(|| LedgerError::UnknownReview(s.to_string()))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), LedgerError> {
    std::fs::write(path, bytes).map_err(|e| LedgerError::io(path, e))
}

/// Reads a text file the user named, refusing anything larger than `limit` bytes.
fn read_file(path: &Path, limit: u64) -> Result<String, LedgerError> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| LedgerError::io(path, e))?;
    let mut text = String::new();
    f.take(limit.saturating_add(1))
        .read_to_string(&mut text)
        .map_err(|e| LedgerError::io(path, e))?;
    if text.len() as u64 > limit {
        return Err(LedgerError::InvalidInput(format!(
            "{} is larger than {limit} bytes",
            path.display()
        )));
    }
    Ok(text)
}

/// A declassification record is a few fields of text.
const RECORD_FILE_LIMIT: u64 = 1 << 20;
/// A checkpoint file may be a whole JSON export.
const CHECKPOINT_FILE_LIMIT: u64 = 1 << 30;

/// Runs one sign-off command. Success is exit code 0; every refusal is an `Err` whose message
/// the binary prints (and exits non-zero, 2 by the house convention).
///
/// # Errors
/// Whatever the ledger refuses; see [`LedgerError`].
pub fn run(cmd: SignoffCommand, ctx: &mut CliContext<'_>) -> Result<ExitCode, LedgerError> {
    match cmd {
        SignoffCommand::Init(a) => {
            let password = ctx.new_password(a.password_stdin, &a.admin)?;
            let mut ledger =
                Ledger::open_with(&ctx.db_path, OpenMode::CreateIfMissing, ctx.options.clone())?;
            ledger.init(&a.admin, &password)?;
            let msg = format!(
                "initialised {} with admin {}",
                ctx.db_path.display(),
                a.admin
            );
            ctx.out(&msg)?;
        }
        SignoffCommand::User { command } => user(command, ctx)?,
        SignoffCommand::Review { command } => review(command, ctx)?,
        SignoffCommand::Ledger { command } => ledger_cmd(command, ctx)?,
        SignoffCommand::Certificate(a) => {
            let ledger = ctx.open()?;
            let html = ledger.certificate_html(review_id(&a.review)?)?;
            write_file(&a.out, html.as_bytes())?;
            ctx.out(&format!("wrote certificate to {}", a.out.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn account_json(a: &Account) -> Value {
    json!({
        "name": a.name,
        "roles": a.roles,
        "active": a.active,
        "created_at": format_time(a.created_at),
        "public_key": a.public_key,
        "locked_until": a.locked_until.map(format_time),
    })
}

fn user(cmd: UserCommand, ctx: &mut CliContext<'_>) -> Result<(), LedgerError> {
    let mut ledger = ctx.open()?;
    match cmd {
        UserCommand::Add { name, roles, actor } => {
            let (s, _) = ctx.login(&mut ledger, &actor)?;
            let password = ctx.new_password(actor.password_stdin, &name)?;
            let a = ledger.add_user(&s, &name, &password, &roles)?;
            let roles: Vec<&str> = a.roles.iter().map(|r| r.as_str()).collect();
            ctx.out(&format!("added {} ({})", a.name, roles.join(", ")))?;
        }
        UserCommand::List { json } => {
            let all = ledger.accounts()?;
            if json {
                ctx.json(&Value::Array(all.iter().map(account_json).collect()))?;
            } else {
                for a in all {
                    let roles: Vec<&str> = a.roles.iter().map(|r| r.as_str()).collect();
                    let status = match (a.active, a.locked_until) {
                        (false, _) => "deactivated".to_string(),
                        (true, Some(t)) => format!("locked until {}", format_time(t)),
                        (true, None) => "active".to_string(),
                    };
                    ctx.out(&format!("{}\t{}\t{status}", a.name, roles.join(",")))?;
                }
            }
        }
        UserCommand::Roles { name, roles, actor } => {
            let (s, _) = ctx.login(&mut ledger, &actor)?;
            ledger.set_roles(&s, &name, &roles)?;
            let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            ctx.out(&format!("{name} now has roles {}", roles.join(", ")))?;
        }
        UserCommand::Deactivate { name, actor } => {
            let (s, _) = ctx.login(&mut ledger, &actor)?;
            ledger.deactivate_user(&s, &name)?;
            ctx.out(&format!("deactivated {name}"))?;
        }
    }
    Ok(())
}

fn finding_json(id: i64, f: &clearance_model::Finding) -> Result<Value, LedgerError> {
    let mut v = serde_json::to_value(f).map_err(|e| LedgerError::InvalidInput(e.to_string()))?;
    if let Value::Object(m) = &mut v {
        m.insert("id".into(), Value::from(id.to_string()));
    }
    Ok(v)
}

fn detail_json(d: &ReviewDetail) -> Result<Value, LedgerError> {
    let mut findings = Vec::new();
    for f in &d.findings {
        let mut v = finding_json(f.id, &f.finding)?;
        if let Value::Object(m) = &mut v {
            m.insert(
                "disposition".into(),
                match &f.disposition {
                    Some(x) => json!({
                        "decision": x.decision,
                        "reason": x.reason,
                        "decided_by": x.decided_by,
                        "decided_at": format_time(x.decided_at),
                    }),
                    None => Value::Null,
                },
            );
        }
        findings.push(v);
    }
    Ok(json!({
        "review": d.id.to_string(),
        "state": d.state,
        "document": {"name": d.document_name, "path": d.document_path, "sha256": d.document_sha256},
        "engine_version": d.engine_version,
        "watchlist_sha256": d.watchlist_sha256,
        "reviewer": d.reviewer,
        "opened_at": format_time(d.opened_at),
        "findings": findings,
        "undecided": d.undecided().iter().map(i64::to_string).collect::<Vec<_>>(),
        "submission": d.submission.as_ref().map(|s| json!({
            "recommendation": s.recommendation,
            "record": s.record,
            "submitted_by": s.submitted_by,
            "submitted_at": format_time(s.submitted_at),
        })),
        "returns": d.returns.iter().map(|r| json!({
            "returned_by": r.returned_by,
            "reason": r.reason,
            "returned_at": format_time(r.returned_at),
        })).collect::<Vec<_>>(),
        "approval": d.approval.as_ref().map(|a| json!({
            "approver": a.approver,
            "approved_at": format_time(a.approved_at),
            "signature": a.signature,
            "public_key": a.public_key,
            "statement": a.statement_text,
            "checkpoint": a.statement.checkpoint,
            "event": a.event_seq,
        })),
    }))
}

fn print_detail(ctx: &mut CliContext<'_>, d: &ReviewDetail) -> Result<(), LedgerError> {
    ctx.out(&format!(
        "review {}: {} ({})",
        d.id, d.document_name, d.state
    ))?;
    ctx.out(&format!("  sha256   {}", d.document_sha256))?;
    ctx.out(&format!(
        "  reviewer {} (opened {})",
        d.reviewer,
        format_time(d.opened_at)
    ))?;
    for f in &d.findings {
        let disp = match &f.disposition {
            Some(x) => match &x.reason {
                Some(r) => format!("{}: {r}", x.decision.as_str()),
                None => x.decision.as_str().to_string(),
            },
            None => "UNDECIDED".into(),
        };
        let page = f.finding.page.map(|p| format!(" p{p}")).unwrap_or_default();
        ctx.out(&format!(
            "  [{}] {} {}{page} {:?} -> {disp}",
            f.id,
            f.finding.severity.as_str(),
            f.finding.category.as_str(),
            f.finding.text
        ))?;
    }
    if let Some(s) = &d.submission {
        ctx.out(&format!(
            "  submitted {} by {}: {}",
            format_time(s.submitted_at),
            s.submitted_by,
            s.recommendation.as_str()
        ))?;
    }
    for r in &d.returns {
        ctx.out(&format!(
            "  returned {} by {}: {}",
            format_time(r.returned_at),
            r.returned_by,
            r.reason
        ))?;
    }
    if let Some(a) = &d.approval {
        ctx.out(&format!(
            "  approved {} by {}",
            format_time(a.approved_at),
            a.approver
        ))?;
        ctx.out(&format!("  signature {}", a.signature))?;
    }
    Ok(())
}

fn review(cmd: ReviewCommand, ctx: &mut CliContext<'_>) -> Result<(), LedgerError> {
    let mut ledger = ctx.open()?;
    match cmd {
        ReviewCommand::Open {
            file,
            rules,
            json,
            actor,
        } => {
            let (s, _) = ctx.login(&mut ledger, &actor)?;
            let path = std::fs::canonicalize(&file).map_err(|e| LedgerError::io(&file, e))?;
            let sha = sha256_file(&path)?;
            let watchlist_sha256 = rules.as_deref().map(sha256_file).transpose()?;
            let report = (ctx.scanner)(&path, rules.as_deref()).map_err(LedgerError::Scan)?;
            if !report.errors.is_empty() {
                return Err(LedgerError::Scan(report.errors.join("; ")));
            }
            if !report.sha256.is_empty() && report.sha256 != sha {
                return Err(LedgerError::FileChanged {
                    path: path.display().to_string(),
                    expected: sha,
                    found: report.sha256,
                });
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            let id = ledger.open_review(
                &s,
                &NewReview {
                    document_name: name.clone(),
                    document_path: path.display().to_string(),
                    document_sha256: sha.clone(),
                    findings: &report.findings,
                    engine_version: clearance_model::ENGINE_VERSION.to_string(),
                    watchlist_sha256,
                },
            )?;
            if json {
                let findings = report
                    .findings
                    .iter()
                    .zip(1i64..)
                    .map(|(f, i)| finding_json(i, f))
                    .collect::<Result<Vec<_>, _>>()?;
                ctx.json(&json!({"review": id.to_string(), "sha256": sha, "findings": findings}))?;
            } else {
                let d = ledger.review(id)?;
                ctx.out(&format!(
                    "opened review {id} of {name}: {} finding(s)",
                    report.findings.len()
                ))?;
                print_detail(ctx, &d)?;
            }
        }
        ReviewCommand::Decide {
            review,
            finding,
            decision,
            reason,
            actor,
        } => {
            let id = review_id(&review)?;
            let fid = parse_id(&finding).ok_or(LedgerError::UnknownFinding {
                review: id,
                finding: finding.clone(),
            })?;
            let (s, _) = ctx.login(&mut ledger, &actor)?;
            ledger.decide(&s, id, fid, decision, reason.as_deref())?;
            ctx.out(&format!("review {id} finding {fid}: {}", decision.as_str()))?;
        }
        ReviewCommand::Submit {
            review,
            recommend,
            record_file,
            actor,
        } => {
            let id = review_id(&review)?;
            let record = match &record_file {
                Some(p) => Some(DeclassificationRecord::from_json(&read_file(
                    p,
                    RECORD_FILE_LIMIT,
                )?)?),
                None => None,
            };
            let (s, _) = ctx.login(&mut ledger, &actor)?;
            ledger.submit(&s, id, recommend, record.as_ref())?;
            ctx.out(&format!("submitted review {id}: {}", recommend.as_str()))?;
        }
        ReviewCommand::Approve { review, actor } => {
            let id = review_id(&review)?;
            let (s, password) = ctx.login(&mut ledger, &actor)?;
            let d = ledger.review(id)?;
            let current =
                sha256_file(Path::new(&d.document_path)).map_err(|e| LedgerError::FileChanged {
                    path: d.document_path.clone(),
                    expected: d.document_sha256.clone(),
                    found: format!("nothing readable ({e})"),
                })?;
            let a = ledger.approve(&s, &password, id, &current)?;
            ctx.out(&format!(
                "approved review {id} as {} (event #{}, signature {})",
                a.approver, a.event_seq, a.signature
            ))?;
        }
        ReviewCommand::Return {
            review,
            reason,
            actor,
        } => {
            let id = review_id(&review)?;
            let (s, _) = ctx.login(&mut ledger, &actor)?;
            ledger.return_review(&s, id, &reason)?;
            ctx.out(&format!("returned review {id}"))?;
        }
        ReviewCommand::Show { review, json } => {
            let d = ledger.review(review_id(&review)?)?;
            if json {
                ctx.json(&detail_json(&d)?)?;
            } else {
                print_detail(ctx, &d)?;
            }
        }
        ReviewCommand::List { state, json } => {
            let list = ledger.reviews(state)?;
            if json {
                let v: Vec<Value> = list
                    .iter()
                    .map(|r| {
                        json!({
                            "review": r.id.to_string(),
                            "state": r.state,
                            "document": r.document_name,
                            "sha256": r.document_sha256,
                            "reviewer": r.reviewer,
                            "opened_at": format_time(r.opened_at),
                            "findings": r.findings,
                            "undecided": r.undecided,
                        })
                    })
                    .collect();
                ctx.json(&Value::Array(v))?;
            } else {
                for r in list {
                    ctx.out(&format!(
                        "{}\t{}\t{}\t{}\t{} finding(s), {} undecided",
                        r.id, r.state, r.document_name, r.reviewer, r.findings, r.undecided
                    ))?;
                }
            }
        }
    }
    Ok(())
}

fn ledger_cmd(cmd: LedgerCommand, ctx: &mut CliContext<'_>) -> Result<(), LedgerError> {
    let mut ledger = ctx.open()?;
    match cmd {
        LedgerCommand::Verify { checkpoint } => {
            let report = match &checkpoint {
                Some(p) => ledger
                    .verify_checkpoint(&parse_checkpoint(&read_file(p, CHECKPOINT_FILE_LIMIT)?)?)?,
                None => ledger.verify()?,
            };
            ledger.check_schema()?;
            let against = checkpoint
                .map(|p| format!(", matches checkpoint {}", p.display()))
                .unwrap_or_default();
            ctx.out(&format!(
                "ledger verifies: {} events, head {}, {} approval signature(s) checked{against}",
                report.checkpoint.event_count, report.checkpoint.head_hash, report.signatures
            ))?;
        }
        LedgerCommand::Export { format, out } => {
            let export = ledger.export(format)?;
            let cp = serde_json::to_string(&export.checkpoint)
                .map_err(|e| LedgerError::InvalidInput(e.to_string()))?;
            match out {
                Some(p) => {
                    write_file(&p, export.text.as_bytes())?;
                    ctx.out(&cp)?;
                }
                None => {
                    let text = export.text;
                    write!(ctx.stdout, "{text}").map_err(|e| LedgerError::Io {
                        path: "standard output".into(),
                        message: e.to_string(),
                    })?;
                    if !text.ends_with('\n') {
                        ctx.out("")?;
                    }
                    ctx.err_note(&format!("checkpoint: {cp}"))?;
                }
            }
        }
    }
    Ok(())
}
