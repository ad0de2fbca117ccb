//! Handing embedded files back to the engine, depth-limited, and labelling what comes back.

use clearance_model::Finding;

use crate::Context;

/// Deepest nesting of embedded documents that is scanned (a file in a file in a file).
pub const MAX_EMBED_DEPTH: usize = 3;

/// Scans `bytes` (an embedded file called `name`) through the engine when the nesting allows,
/// and relabels the findings so they point at the container: part becomes
/// `embedded <name>: <their part>`, page and position move into that label because they belong
/// to the embedded document, not to this one. `None` when the depth limit stopped the scan.
pub(crate) fn scan(ctx: &Context, name: &str, bytes: &[u8]) -> Option<Vec<Finding>> {
    let depth = ctx.depth + 1;
    if depth > MAX_EMBED_DEPTH.min(ctx.limits.max_depth) {
        return None;
    }
    let found = (ctx.scan_embedded)(name, bytes, depth);
    Some(found.into_iter().map(|f| relabel(f, name)).collect())
}

fn relabel(mut f: Finding, name: &str) -> Finding {
    let mut part = format!("embedded {name}");
    if let Some(p) = f.page {
        part.push_str(&format!(", page {p}"));
    }
    if let Some(inner) = f.part.take() {
        part.push_str(": ");
        part.push_str(&inner);
    }
    f.part = Some(part);
    f.page = None;
    f.bbox = None;
    f.boxes.clear();
    f.span = None;
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_extract::Limits;
    use clearance_model::{Category, Severity, Source};

    #[test]
    fn relabels_and_stops_at_depth_limit() {
        let limits = Limits::default();
        let inner = |_: &str, _: &[u8], d: usize| {
            let mut f = Finding::new(
                Category::WatchlistTerm,
                "w",
                Severity::High,
                "x",
                Source::Body,
                "e",
            );
            f.page = Some(2);
            f.part = Some(format!("depth {d}"));
            vec![f]
        };
        let ctx = Context {
            limits: &limits,
            depth: 0,
            scan_embedded: &inner,
            pdf_paint: None,
        };
        let got = scan(&ctx, "a.txt", b"x").unwrap_or_default();
        assert_eq!(
            got[0].part.as_deref(),
            Some("embedded a.txt, page 2: depth 1")
        );
        assert_eq!(got[0].page, None);
        let deep = Context {
            limits: &limits,
            depth: MAX_EMBED_DEPTH,
            scan_embedded: &inner,
            pdf_paint: None,
        };
        assert!(scan(&deep, "a.txt", b"x").is_none());
    }
}
