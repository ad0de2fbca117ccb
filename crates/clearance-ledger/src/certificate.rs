//! The printable release certificate: one self-contained HTML page (inline CSS, no scripts,
//! no remote resources), every value escaped.

use crate::clock::format_time;
use crate::review::{Disposition, ReviewDetail};
use crate::{Ledger, LedgerError, ReviewState};

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:serif;max-width:60rem;margin:2rem auto;color:#000}
h1{font-size:1.6rem;border-bottom:2px solid #000}h2{font-size:1.2rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #444;padding:.3rem;
vertical-align:top;text-align:left}th{background:#eee}.mono{font-family:monospace;
word-break:break-all}@media print{body{margin:0}}";

impl Ledger {
    /// The release certificate of an approved review, after verifying the whole ledger.
    ///
    /// # Errors
    /// [`LedgerError::InvalidState`] unless approved; any [`Ledger::verify`] failure.
    pub fn certificate_html(&self, review: i64) -> Result<String, LedgerError> {
        let report = self.verify()?;
        let d = self.review(review)?;
        let Some(approval) = d
            .approval
            .as_ref()
            .filter(|_| d.state == ReviewState::Approved)
        else {
            return Err(LedgerError::InvalidState {
                review,
                state: d.state.as_str().into(),
                action: "issue a release certificate before approval".into(),
            });
        };
        Ok(render(&d, approval, &report.checkpoint))
    }
}

fn row(label: &str, value: &str, mono: bool) -> String {
    let class = if mono { " class=\"mono\"" } else { "" };
    format!(
        "<tr><th>{}</th><td{class}>{}</td></tr>\n",
        escape(label),
        escape(value)
    )
}

fn disposition_cells(d: Option<&Disposition>) -> String {
    match d {
        Some(d) => format!(
            "<td>{}</td><td>{}</td><td>{} at {}</td>",
            escape(d.decision.as_str()),
            escape(d.reason.as_deref().unwrap_or("")),
            escape(&d.decided_by),
            escape(&format_time(d.decided_at))
        ),
        None => "<td>undecided</td><td></td><td></td>".into(),
    }
}

fn render(d: &ReviewDetail, a: &crate::Approval, verified: &crate::Checkpoint) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    // Belt and braces: even if some text escaped escaping, the page may load nothing.
    h.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" \
         content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    h.push_str(&format!(
        "<title>Release certificate: {}</title>\n<style>{STYLE}</style></head><body>\n",
        escape(&d.document_name)
    ));
    h.push_str("<h1>Clearance release certificate</h1>\n<table>\n");
    h.push_str(&row("Document", &d.document_name, false));
    h.push_str(&row("SHA-256", &d.document_sha256, true));
    h.push_str(&row("Review", &d.id.to_string(), false));
    if let Some(s) = &d.submission {
        h.push_str(&row("Recommendation", s.recommendation.as_str(), false));
    }
    h.push_str(&row("Engine version", &d.engine_version, false));
    h.push_str(&row(
        "Watchlist SHA-256",
        d.watchlist_sha256.as_deref().unwrap_or("none"),
        true,
    ));
    h.push_str(&row("Reviewer", &d.reviewer, false));
    h.push_str(&row("Review opened", &format_time(d.opened_at), false));
    if let Some(s) = &d.submission {
        h.push_str(&row("Submitted", &format_time(s.submitted_at), false));
    }
    h.push_str(&row("Approver", &a.approver, false));
    h.push_str(&row("Approved", &format_time(a.approved_at), false));
    h.push_str("</table>\n");

    if let Some(r) = d.submission.as_ref().and_then(|s| s.record.as_ref()) {
        h.push_str("<h2>Declassification record</h2>\n<table>\n");
        h.push_str(&row("Original marking", &r.original_marking, false));
        h.push_str(&row("Original level", &r.original_level, false));
        h.push_str(&row("Authority or basis", &r.authority, false));
        let decision = serde_json::to_value(r.decision)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        h.push_str(&row("Decision", &decision, false));
        h.push_str(&row("Date", &r.date, false));
        h.push_str(&row("Notes", &r.notes, false));
        h.push_str("</table>\n");
    }

    h.push_str(&format!(
        "<h2>Findings ({})</h2>\n<table>\n",
        d.findings.len()
    ));
    h.push_str(
        "<tr><th>#</th><th>Category</th><th>Severity</th><th>Page</th><th>Text</th>\
         <th>Disposition</th><th>Reason</th><th>Decided</th></tr>\n",
    );
    for f in &d.findings {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}</tr>\n",
            f.id,
            escape(f.finding.category.as_str()),
            escape(f.finding.severity.as_str()),
            f.finding.page.map(|p| p.to_string()).unwrap_or_default(),
            escape(&f.finding.text),
            disposition_cells(f.disposition.as_ref())
        ));
    }
    h.push_str("</table>\n");

    for r in &d.returns {
        h.push_str(&format!(
            "<p>Returned by {} at {}: {}</p>\n",
            escape(&r.returned_by),
            escape(&format_time(r.returned_at)),
            escape(&r.reason)
        ));
    }

    h.push_str("<h2>Signature and ledger checkpoint</h2>\n<table>\n");
    h.push_str(&row("Signature (Ed25519)", &a.signature, true));
    h.push_str(&row("Approver's public key", &a.public_key, true));
    h.push_str(&row("Signed statement", &a.statement_text, true));
    h.push_str(&row(
        "Checkpoint at approval",
        &format!(
            "{} events, head {}",
            a.statement.checkpoint.event_count, a.statement.checkpoint.head_hash
        ),
        true,
    ));
    h.push_str(&row("Approval event", &format!("#{}", a.event_seq), false));
    h.push_str(&row(
        "Ledger verified at issue",
        &format!(
            "{} events, head {}",
            verified.event_count, verified.head_hash
        ),
        true,
    ));
    h.push_str("</table>\n</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<script>"a"&'b'</script>"#),
            "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("机密 plain"), "机密 plain");
    }
}
