//! The paint logs extraction keeps for forensics, within a bound.
//!
//! Design decision: extraction reads each page once and its paint log is a by-product; the
//! engine passes the kept logs to forensics explicitly ([`crate::extract_for_forensics`]),
//! so forensics does not interpret every page again. A document with more glyphs than
//! `MAX_KEPT_GLYPHS` keeps only its first pages' logs; forensics reads the rest itself.

use std::collections::BTreeMap;

use super::{PaintItem, PaintLog};
use crate::ExtractError;

/// Most glyphs held in kept logs (about 20 bytes each; the worker's address space is capped
/// at 1 GiB, so this stays near a tenth of it).
const MAX_KEPT_GLYPHS: usize = 4_000_000;

/// Paint logs (or why a page has none) by 1-based page number.
pub type PaintLogs = BTreeMap<u32, Result<PaintLog, ExtractError>>;

/// Collects a document's logs while it is extracted, within the glyph bound.
pub(crate) struct Keeper {
    logs: PaintLogs,
    glyphs: usize,
    bound: usize,
    full: bool,
}

impl Default for Keeper {
    fn default() -> Self {
        Self::with_bound(MAX_KEPT_GLYPHS)
    }
}

impl Keeper {
    fn with_bound(bound: usize) -> Self {
        Self {
            logs: PaintLogs::new(),
            glyphs: 0,
            bound,
            full: false,
        }
    }

    /// Keeps page `page`'s log unless the bound is reached (forensics then reads the page
    /// again itself).
    pub(crate) fn keep(&mut self, page: u32, log: Result<PaintLog, ExtractError>) {
        if self.full {
            return;
        }
        let n: usize = log.as_ref().map_or(0, |l| {
            l.items
                .iter()
                .map(|i| match i {
                    PaintItem::Text(t) => t.glyphs.len(),
                    _ => 1,
                })
                .sum()
        });
        self.glyphs += n;
        if self.glyphs > self.bound {
            self.full = true;
            return;
        }
        self.logs.insert(page, log);
    }

    /// The logs kept.
    pub(crate) fn into_logs(self) -> PaintLogs {
        self.logs
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;

    /// A log of `n` paint items (a non-text item counts as one glyph).
    fn log_of(n: usize) -> PaintLog {
        PaintLog {
            items: vec![PaintItem::Clip(clearance_model::Rect::default()); n],
            ..PaintLog::default()
        }
    }

    #[test]
    fn keeps_pages_until_the_glyph_bound_then_none_after() {
        let mut keeper = Keeper::with_bound(100);
        keeper.keep(1, Ok(log_of(90)));
        keeper.keep(2, Ok(log_of(20)));
        keeper.keep(3, Ok(log_of(1)));
        let logs = keeper.into_logs();
        assert_eq!(logs.keys().copied().collect::<Vec<_>>(), [1]);
    }
}
